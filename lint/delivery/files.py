"""Reports to files: written whole or not at all."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """A report cannot be written where it was asked to go; the message says why."""


def write_atomic(path: Path, data: bytes, what: str = "--output") -> None:
    """Write to a temporary file beside the target, then rename: never a half-written report."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{what} {path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private; a report gets the permissions any new file would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(rendered: dict[str, bytes], output: Path | None = None, output_dir: Path | None = None) -> None:
    """Write `rendered` (format -> bytes): the first format to `output`, or every format to
    `output_dir`/report.EXT. Every body is rendered before this is called."""
    from lint.reports import EXTENSIONS
    if output_dir is not None:
        for fmt, body in rendered.items():
            write_atomic(Path(output_dir) / f"report.{EXTENSIONS[fmt]}", body)
    elif output is not None:
        write_atomic(Path(output), next(iter(rendered.values())))
