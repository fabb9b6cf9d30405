"""Progress bars (issue 5): on stderr for reading, hashing and the checks when stderr is a
terminal; none when it is piped (CI, cron, a log file) or with -q. The terminal is a real
pseudo-terminal here, as a person's shell would give."""
from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from conftest import REPO, run_cli

AS_OF = "2025-12-31T00:00:00+07:00"
pytestmark = pytest.mark.skipif(not hasattr(pty, "openpty"), reason="needs a pseudo-terminal")


def stderr_on_a_terminal(*args) -> tuple[int, str, str]:
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "lint", *map(str, args)], cwd=REPO, stdout=subprocess.PIPE,
                                stderr=terminal, env={**os.environ, "PYTHONIOENCODING": "utf-8", "TERM": "xterm"})
        os.close(terminal)
        chunks = []
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the terminal closed: the program ended
                break
            if not data:
                break
            chunks.append(data)
        out = proc.stdout.read().decode("utf-8")
        proc.wait(120)
    finally:
        os.close(controller)
    return proc.returncode, out, b"".join(chunks).decode("utf-8", "replace")


def test_bars_for_reading_hashing_and_checks_on_a_terminal():
    code, out, err = stderr_on_a_terminal("check", REPO / "sample_data", "--as-of", AS_OF, "--no-cache")
    assert code == 1 and "Summary" in out
    for label in ("read", "hashing images", "checks"):
        assert f"{label}  [" in err, err
    assert "100%" in err and "bindings" in err and "LIVE001" in err
    assert "[#" not in out  # the report itself stays clean


def test_no_bars_when_piped_or_quiet():
    piped = run_cli("check", REPO / "sample_data", "--as-of", AS_OF, "--no-cache")
    assert piped.returncode == 1 and "[#" not in piped.stderr and "%" not in piped.stderr
    code, _, err = stderr_on_a_terminal("check", REPO / "sample_data", "--as-of", AS_OF, "--no-cache", "-q")
    assert code == 1 and "[#" not in err and "%" not in err
