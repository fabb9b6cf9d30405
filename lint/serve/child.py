"""The entry of a lint's child process: everything the lint writes stays in its job folder.

`run_in_job` points the process's temporary folder (tempfile's, and TMPDIR for anything it
starts) at `<job>/tmp` before calling `runner.run_job`, so the unpacked zip
(`ExportSource`'s TemporaryDirectory) and any other temporary file live inside the job
folder. A lint killed at the time limit skips every clean-up of its own; the server then
removes the job's `upload/` and `tmp/` folders itself, whatever ended the lint
(lint.serve.jobs), and the whole job folder when the report expires or the server stops.

It also caps the process's memory (address space, RLIMIT_AS) before any data is read; the
default cap comes from the machine's memory and the worker count (`default_memory_limit_mb`).
"""
from __future__ import annotations

import os
import tempfile


def total_memory_mb() -> int:
    """The machine's memory in MB (0 when it cannot be known)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20)
    except (ValueError, OSError, AttributeError):
        return 0


def default_memory_limit_mb(workers: int, total_mb: int | None = None) -> int:
    """The address-space limit of one lint when none is given: 80 % of the machine's memory
    after 1 GB for the server and the system, shared by the lint processes that may exist at
    once (three per worker: one running, two paused, lint.serve.jobs), and
    never under 1 GB (a lint of a small export needs ~0.5 GB of address space). 0 (no limit)
    when the machine's memory is unknown."""
    total = total_memory_mb() if total_mb is None else total_mb
    if total <= 0:
        return 0
    return max(1024, int((total - 1024) * 0.8 / (3 * max(1, workers))))


def run_in_job(tmp_dir: str, export_path: str, out_dir: str, as_of, lang: str, zone: str, export_name: str,
               memory_limit_mb: int = 0, options=None, plan=None) -> None:
    """Child-process entry: the job's tmp/ as the temporary folder, then runner.run_job
    (`options`: the server's LintOptions)."""
    os.makedirs(tmp_dir, mode=0o700, exist_ok=True)
    os.environ["TMPDIR"] = tmp_dir
    tempfile.tempdir = tmp_dir  # tempfile reads TMPDIR once; set its cached value too
    from lint.serve.runner import run_job
    run_job(export_path, out_dir, as_of, lang, zone, export_name, memory_limit_mb, options, plan=plan)
