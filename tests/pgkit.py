"""A throwaway PostgreSQL server for the history tests: Debian's `postgresql` package (which
.ci/run installs), initdb into a private temporary folder, listening on a unix socket in that
folder only (no TCP port, so it never meets another server), stopped and deleted at the end.
As root it runs as the `postgres` user (PostgreSQL refuses to run as root)."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path


class NoServer(Exception):
    """Why no server could be started (the tests are skipped with this message)."""


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class Server:
    def __init__(self):
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not (initdb and pg_ctl):
            raise NoServer("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise NoServer("psycopg is not installed: pip install 'shoplint[history-pg]'") from None
        self.as_user: list[str] = []
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise NoServer("running as root and there is no `postgres` user to run the server as") from None
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.base = Path(tempfile.mkdtemp(prefix="shoplint-pg-"))
        os.chmod(self.base, 0o755)
        if owner is not None:
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
        self.data = self.base / "data"
        self.pg_ctl = pg_ctl
        opts = (f"-c listen_addresses='' -c unix_socket_directories='{self.base}' -c fsync=off "
                "-c max_connections=40 -c shared_buffers=16MB")
        try:
            self._run([initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
            self._run([pg_ctl, "-D", str(self.data), "-l", str(self.base / "server.log"), "-o", opts, "-w", "-t", "60",
                       "start"])
        except (subprocess.CalledProcessError, OSError) as e:
            log = self.base / "server.log"
            detail = log.read_text(errors="replace")[-800:] if log.exists() else getattr(e, "stderr", "") or str(e)
            shutil.rmtree(self.base, ignore_errors=True)
            raise NoServer(f"PostgreSQL could not be started: {detail}") from None

    def _run(self, cmd):
        subprocess.run(self.as_user + cmd, check=True, capture_output=True, text=True, timeout=120)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.base}"

    def new_database(self) -> str:
        """A fresh empty database; its URL."""
        import psycopg
        name = "h" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self):
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        except (subprocess.CalledProcessError, OSError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.base, ignore_errors=True)
