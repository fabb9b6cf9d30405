"""Jobs: one upload each, in its own folder, linted in its own process, deleted on time.

- A job's id is `secrets.token_urlsafe(24)` (192 random bits). An id from a request is
  checked against the id pattern and looked up in memory; it never becomes a path by itself
  (the folder is the one the job was created with).
- A job started from the upload form belongs to the browser that sent it (a hash of its
  owner cookie): another browser with the same id gets the same answer as for an id that
  does not exist.
- At most `max_concurrent` lints run at once, each in a child process forked from a
  forkserver that has the linter imported; the rest wait in a queue (at most `max_queue`)
  and can see their place. A lint that runs longer than `time_limit_s` is killed with its
  process group.
- The uploaded files are deleted as soon as the lint ends; the reports `ttl_s` after the
  upload, by a sweeper thread.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from lint.serve.child import run_in_job
from lint.serve.runner import OUTPUTS, STATUS
from lint.serve.settings import Settings

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
FOLDER_PREFIX = "job-"
YIELD_AFTER_S = 2.0  # a lint runs at least this long before it may yield its worker
PAUSED_PER_WORKER = 2  # lints that may be paused at once, per worker (they keep their memory)
SERVER_PREFIX = "shoplint-serve-"  # a server's own data dir in the system temp folder
PID_FILE = "server.pid"


def sweep_dead_servers(temp_root: str | None = None) -> int:
    """Remove the data dirs that servers which died without cleaning up (SIGKILL, a crash, a
    power cut) left in the system temp folder: ours (same user), with a pid file naming a
    process that is gone. -> how many."""
    removed = 0
    base = Path(temp_root or tempfile.gettempdir())
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(SERVER_PREFIX):
            continue
        try:
            if entry.is_symlink() or not entry.is_dir() or entry.stat().st_uid != os.getuid():
                continue
            pid = int((entry / PID_FILE).read_text().strip())
        except (OSError, ValueError):
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True

_ctx = None
_ctx_lock = threading.Lock()


def _mp_context():
    """A forkserver with the linter imported: each lint is a quick fork of a clean process
    (forking the threaded server itself would not be safe)."""
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            _private_mp_tempdir()
            ctx = multiprocessing.get_context("forkserver")
            # the runner imports the pipeline lazily: preload what every lint uses, warm
            # (the reporters and the picture side are imported on first use by a command-line run;
            # every portal lint renders JSON, HTML and CSV and may hash pictures: preloaded here)
            ctx.set_forkserver_preload(["lint.serve.runner", "lint.serve.child", "lint.ingest", "lint.engines.local",
                                        "lint.checks", "lint.reports", "lint.reports.json_report",
                                        "lint.reports.html_report", "lint.reports.table_reports",
                                        "lint.reports.visuals", "lint.ingest.media", "lint.ingest.covers"])
            _ctx = ctx
        return _ctx


def _private_mp_tempdir():
    """multiprocessing keeps the forkserver's socket in a `pymp-*` folder of the system temp
    folder, removed only by a clean exit. Give it a folder of ours instead, named like a
    server's data dir and holding our pid, so that it goes at exit and, if the server is
    killed, is swept by the next server (sweep_dead_servers)."""
    import multiprocessing.process
    import multiprocessing.util
    config = multiprocessing.process.current_process()._config
    if config.get("tempdir") is not None:
        return
    folder = tempfile.mkdtemp(prefix=SERVER_PREFIX + "mp-")
    (Path(folder) / PID_FILE).write_text(str(os.getpid()))
    config["tempdir"] = folder
    multiprocessing.util.Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=-100)


def owner_key(cookie: str | None) -> str | None:
    """The stored form of an owner cookie (a hash), or None when there is none."""
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest() if cookie else None


class Busy(Exception):
    """The queue is full."""


class ClientBusy(Busy):
    """This client already has as many jobs running or waiting as one client may."""


def client_key(host: str | None) -> str:
    """The client a job or an upload is counted against: its IP address, an IPv6 address by
    its /64 (one machine or home usually holds a whole /64). Behind a reverse proxy this is
    the address the proxy forwards (`--forwarded-allow-ips`), else the proxy's own."""
    import ipaddress
    try:
        ip = ipaddress.ip_address((host or "").strip())
    except ValueError:
        return host or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class FairQueue:
    """The waiting jobs, one line per client. The next job is the first of the client that has
    had the least lint time lately (seconds of its finished lints, halved every `half_life`
    seconds), ties in turn order (round-robin): a client with many uploads waiting, or with
    slow ones, delays a newcomer by at most the lints already running."""

    def __init__(self, half_life: float = 120.0, clock=time.monotonic):
        self._lines: dict[str, deque[Job]] = {}  # in turn order (dicts keep insertion order)
        self._served: dict[str, tuple[float, float]] = {}  # client -> (lint seconds, when)
        self.half_life, self.clock = half_life, clock

    def __len__(self) -> int:
        return sum(len(q) for q in self._lines.values())

    def __bool__(self) -> bool:
        return bool(self._lines)

    def append(self, job: Job):
        self._lines.setdefault(job.client, deque()).append(job)

    def charge(self, client: str, seconds: float):
        """Count `seconds` of lint time against `client`."""
        now = self.clock()
        self._served[client] = (self.usage(client, now) + max(0.0, seconds), now)
        if len(self._served) > 10_000:  # forget clients whose time has faded
            for k in [k for k in self._served if self.usage(k, now) < 0.01 and k not in self._lines]:
                del self._served[k]

    def usage(self, client: str, now: float | None = None) -> float:
        seconds, at = self._served.get(client, (0.0, 0.0))
        if not seconds:
            return 0.0
        now = self.clock() if now is None else now
        return seconds * 0.5 ** (max(0.0, now - at) / self.half_life)

    def _next_client(self, extra=None) -> str:
        """The client whose job is next: the least lint time (plus `extra(client)`, the time of
        its lints in progress), the first in turn order among equals."""
        now = self.clock()
        return min(self._lines, key=lambda c: self.usage(c, now) + (extra(c) if extra else 0.0))

    def peek(self, extra=None) -> tuple[Job, float]:
        """(the next job, its client's lint time) without taking it."""
        client = self._next_client(extra)
        return self._lines[client][0], self.usage(client) + (extra(client) if extra else 0.0)

    def popleft(self, extra=None) -> Job:
        client = self._next_client(extra)
        line = self._lines.pop(client)
        job = line.popleft()
        if line:
            self._lines[client] = line  # to the end of the turn order
        return job

    def remove(self, job: Job):
        line = self._lines.get(job.client)
        if line is None:
            raise ValueError("not queued")
        line.remove(job)
        if not line:
            del self._lines[job.client]

    def clear(self):
        self._lines.clear()

    def order(self) -> list[Job]:
        """The jobs in about the order they will start (if nothing else arrives or finishes):
        by the clients' lint time, then round-robin."""
        now = self.clock()
        clients = sorted(self._lines, key=lambda c: self.usage(c, now))  # stable: turn order for ties
        lines = [list(self._lines[c]) for c in clients]
        return [line[i] for i in range(max(map(len, lines), default=0)) for line in lines if i < len(line)]

    def __iter__(self):
        return iter(self.order())


@dataclass
class Job:
    id: str
    folder: Path
    owner: str | None  # owner_key of the uploading browser; None for API jobs
    client: str
    export_name: str
    as_of: str | None
    lang: str
    zone: str
    created: float
    state: str = "queued"  # queued | running | done | failed
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    error_kind: str | None = None  # input | timeout | internal
    summary: dict | None = None
    export_path: Path | None = None
    ran: float = 0.0  # seconds the lint has run (paused time not counted)
    paused: bool = False
    plan: dict | None = None  # the form's "may I bind or unbind?" (lint.serve.runner.plan_folder)
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def upload_dir(self) -> Path:
        return self.folder / "upload"

    @property
    def out_dir(self) -> Path:
        return self.folder / "out"

    @property
    def tmp_dir(self) -> Path:
        """The lint's temporary folder (the unpacked zip): removed when the lint ends."""
        return self.folder / "tmp"

    def output(self, kind: str) -> Path:
        return self.out_dir / OUTPUTS[kind]

    def output_file(self, name: str) -> Path:
        """Another file the lint wrote into out/ (the plan's answer)."""
        return self.out_dir / name


class JobStore:
    def __init__(self, settings: Settings, clock=time.time):
        self.settings = settings
        self.clock = clock
        if settings.data_dir is not None:
            self.root = Path(settings.data_dir).resolve()
            self.root.mkdir(parents=True, exist_ok=True)
            self._own_root = False
            self._remove_leftovers()
        else:
            sweep_dead_servers()
            self.root = Path(tempfile.mkdtemp(prefix=SERVER_PREFIX)).resolve()
            self._own_root = True
            (self.root / PID_FILE).write_text(str(os.getpid()))
        self._jobs: dict[str, Job] = {}
        self._queue = FairQueue()
        self._active: dict[str, int] = {}  # client -> its jobs running or waiting
        self._running: dict[str, multiprocessing.Process | None] = {}  # running or paused
        self._paused: list[Job] = []  # lints that yielded their worker, to be resumed
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._held = False  # hold(): queued jobs wait (tests, maintenance)
        self._threads: list[threading.Thread] = []
        self._started = False
        self.completed = 0

    # --- life cycle ---
    def start(self):
        with self._cond:
            if self._started:
                return
            self._started = True
        for i in range(self.settings.max_concurrent):
            t = threading.Thread(target=self._worker, name=f"shoplint-lint-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        t = threading.Thread(target=self._sweeper, name="shoplint-sweeper", daemon=True)
        t.start()
        self._threads.append(t)

    def close(self):
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
            procs = [p for p in self._running.values() if p is not None]
        for p in procs:
            _kill(p)
        for t in self._threads:
            t.join(timeout=5)
        with self._cond:
            jobs = list(self._jobs.values())
            self._jobs.clear()
            self._paused.clear()
            self._queue.clear()
            self._active.clear()
        for job in jobs:
            shutil.rmtree(job.folder, ignore_errors=True)
            job.done.set()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def _remove_leftovers(self):
        """Job folders of an earlier server in a given data dir: nobody can reach them any more."""
        for entry in self.root.iterdir():
            if entry.name.startswith(FOLDER_PREFIX) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)

    def hold(self):
        """Start no more lints until release() (those running go on)."""
        with self._cond:
            self._held = True

    def release(self):
        with self._cond:
            self._held = False
            self._cond.notify_all()

    # --- jobs ---
    def new_job(self, owner: str | None, client: str, export_name: str, as_of: str | None, lang: str,
                zone: str) -> Job:
        job_id = secrets.token_urlsafe(24)
        folder = self.root / f"{FOLDER_PREFIX}{job_id}"
        folder.mkdir(mode=0o700)
        (folder / "upload").mkdir(mode=0o700)
        (folder / "out").mkdir(mode=0o700)
        (folder / "tmp").mkdir(mode=0o700)
        return Job(job_id, folder, owner, client, export_name, as_of, lang, zone, self.clock())

    def submit(self, job: Job):
        """Queue a job whose upload is in place; Busy if the queue is full, ClientBusy if its
        client already has `max_per_client` jobs running or waiting."""
        self.start()
        with self._cond:
            if self._active.get(job.client, 0) >= self.settings.max_per_client:
                raise ClientBusy()
            if len(self._queue) >= self.settings.max_queue:
                raise Busy()
            self._jobs[job.id] = job
            self._queue.append(job)
            self._active[job.client] = self._active.get(job.client, 0) + 1
            self._cond.notify()

    def discard(self, job: Job):
        """Forget a job and delete its folder (never submitted, or its answer was given)."""
        with self._cond:
            if job.id in self._running:
                return  # the worker deletes nothing; the sweeper will once it ends
            self._jobs.pop(job.id, None)
            try:
                self._queue.remove(job)
                self._release(job)
            except ValueError:
                pass
        shutil.rmtree(job.folder, ignore_errors=True)
        job.done.set()

    def _release(self, job: Job):
        """One job of its client less running or waiting (under self._cond)."""
        left = self._active.get(job.client, 0) - 1
        if left > 0:
            self._active[job.client] = left
        else:
            self._active.pop(job.client, None)

    def get(self, job_id: str, owner: str | None, api: bool = False) -> Job | None:
        """The job with this id if the caller may see it, else None (the same for a job of
        another browser, an expired one, a malformed id and one that never existed)."""
        if not isinstance(job_id, str) or not ID_PATTERN.fullmatch(job_id):
            return None
        with self._cond:
            job = self._jobs.get(job_id)
        if job is None or self.clock() >= job.created + self.settings.ttl_s:
            return None
        if not api:
            if job.owner is None or owner is None or not hmac.compare_digest(job.owner, owner):
                return None
        return job

    def place(self, job: Job) -> tuple[int, int]:
        """(place in the queue counting from 1, queue length); (0, n) once it runs."""
        with self._cond:
            for i, j in enumerate(self._queue.order()):
                if j is job:
                    return i + 1, len(self._queue)
            return 0, len(self._queue)

    def load(self) -> dict:
        with self._cond:
            return {"running": len(self._running) - len(self._paused), "paused": len(self._paused),
                    "queued": len(self._queue), "jobs": len(self._jobs),
                    "completed": self.completed}

    # --- running ---
    def _worker(self):
        """Run lints in slices: start the next waiting job, or resume a paused one, whichever
        belongs to the client with the least lint time (counting lints in progress); run it
        until it ends, or until it has run a quantum and a client with less lint time is
        waiting, then pause it (SIGSTOP to its process group) and pick again."""
        while not self._stop.is_set():
            with self._cond:
                while not (self._paused or (self._queue and not self._held)) and not self._stop.is_set():
                    self._cond.wait(timeout=1.0)
                if self._stop.is_set():
                    return
                job, resume = self._pick()
            try:
                if resume:
                    _signal_group(self._running[job.id], signal.SIGCONT)
                else:
                    self._start(job)
                finished = self._slice(job)
            except Exception as e:  # noqa: BLE001 - a worker must survive anything
                self._fail(job, "internal", f"internal error ({type(e).__name__}); no report was made")
                proc = self._running.get(job.id)
                if proc is not None:
                    _kill(proc)
                finished = True
            if finished:
                self._finish(job)

    def _in_progress(self, client: str) -> float:
        """Seconds the client's lints in progress (running or paused) have run (under self._cond)."""
        return sum(j.ran for j in self._jobs.values() if j.client == client and j.id in self._running)

    def _pick(self) -> tuple[Job, bool]:
        """The job to run next and whether it is a paused one to resume (under self._cond)."""
        best_paused = min(self._paused, key=lambda j: self._queue.usage(j.client) + self._in_progress(j.client),
                          default=None)
        if best_paused is not None and (self._held or not self._queue or
                                        self._queue.usage(best_paused.client) + self._in_progress(best_paused.client)
                                        <= self._queue.peek(self._in_progress)[1]):
            self._paused.remove(best_paused)
            best_paused.paused = False
            return best_paused, True
        job = self._queue.popleft(self._in_progress)
        self._running[job.id] = None
        job.state, job.started = "running", self.clock()
        return job, False

    def _start(self, job: Job):
        s = self.settings
        proc = _mp_context().Process(
            target=run_in_job, name=f"shoplint-lint-{job.id[:6]}",
            args=(str(job.tmp_dir), str(job.export_path), str(job.out_dir), job.as_of, job.lang, job.zone,
                  job.export_name, s.lint_memory_limit_mb, s.lint_options),
            kwargs={"plan": job.plan} if job.plan else {})
        proc.start()
        with self._cond:
            self._running[job.id] = proc

    def _slice(self, job: Job) -> bool:
        """Run `job` until it ends (True) or yields its worker (False: paused). The time limit
        counts only the lint's running time."""
        s = self.settings
        proc = self._running[job.id]
        slice_start = job.ran
        while True:
            t0 = time.monotonic()
            proc.join(min(0.1, max(0.0, s.time_limit_s - job.ran)))
            job.ran += time.monotonic() - t0
            if not proc.is_alive() or job.ran >= s.time_limit_s or self._stop.is_set():
                break
            if job.ran - slice_start >= YIELD_AFTER_S:
                with self._cond:
                    if self._should_yield(job):
                        _signal_group(proc, signal.SIGSTOP)
                        job.paused = True
                        self._paused.append(job)
                        self._cond.notify()
                        return False
        if proc.is_alive():
            _kill(proc)
            proc.join(5)
            if self._stop.is_set():
                self._fail(job, "internal", "the server stopped before the lint ended")
            else:
                self._fail(job, "timeout", f"the lint took longer than this server's time limit "
                                           f"({s.time_limit_s:g} s) and was stopped. Split the export, or run "
                                           "`shoplint check` on it locally.")
            return True
        try:
            status = json.loads((job.out_dir / STATUS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            code = proc.exitcode
            why = ("it ran out of memory" if code in (-signal.SIGKILL, -signal.SIGSEGV) or s.lint_memory_limit_mb
                   else f"its process ended with status {code}")
            self._fail(job, "internal", f"the lint stopped before making a report ({why}).")
            return True
        if status.get("ok"):
            job.summary, job.state = status.get("summary"), "done"
        else:
            self._fail(job, "internal" if status.get("internal") else "input", status.get("error") or "failed")
        return True

    def _should_yield(self, job: Job) -> bool:
        """Whether a waiting job's client has had less lint time than `job`'s (counting lints in
        progress) by more than a quantum, and a lint may still be paused (under self._cond)."""
        if self._held or not self._queue or len(self._paused) >= PAUSED_PER_WORKER * self.settings.max_concurrent:
            return False
        _, waiting = self._queue.peek(self._in_progress)
        return waiting + YIELD_AFTER_S < self._queue.usage(job.client) + self._in_progress(job.client)

    def _finish(self, job: Job):
        with self._cond:
            self._running.pop(job.id, None)
            self._release(job)
            self._queue.charge(job.client, job.ran)
            self.completed += 1
        # the upload and what the lint unpacked are not needed any more, whatever ended the
        # lint (a killed one cleaned nothing up); the reports stay until the job expires
        shutil.rmtree(job.upload_dir, ignore_errors=True)
        shutil.rmtree(job.tmp_dir, ignore_errors=True)
        job.finished = self.clock()
        job.done.set()

    def _fail(self, job: Job, kind: str, message: str):
        job.state, job.error_kind, job.error = "failed", kind, message

    # --- expiry ---
    def sweep(self, now: float | None = None) -> int:
        """Delete every job (folder and record) older than ttl_s; -> how many."""
        now = self.clock() if now is None else now
        with self._cond:
            old = [j for j in self._jobs.values()
                   if now >= j.created + self.settings.ttl_s and j.id not in self._running]
            for j in old:
                del self._jobs[j.id]
                try:
                    self._queue.remove(j)
                    self._release(j)
                except ValueError:
                    pass
        for j in old:
            shutil.rmtree(j.folder, ignore_errors=True)
            j.done.set()
        return len(old)

    def _sweeper(self):
        interval = max(1.0, min(60.0, self.settings.ttl_s / 4))
        while not self._stop.wait(interval):
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - keep sweeping
                pass


def _signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError, OSError):
        try:
            os.kill(proc.pid, sig)
        except OSError:
            pass


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the lint and any workers it started
    except (ProcessLookupError, PermissionError, OSError):
        try:
            proc.kill()
        except Exception:  # noqa: BLE001
            pass


class RateLimiter:
    """At most `limit` uploads per client in any `window` seconds (a sliding window)."""

    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> float:
        """Record an upload; -> 0 if allowed, else the seconds until the next one is."""
        if self.limit <= 0 or self.window <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            if len(self._hits) > 10_000:  # forget idle clients
                for k in [k for k, q in self._hits.items() if not q or q[-1] <= now - self.window]:
                    del self._hits[k]
            q = self._hits.setdefault(client_key(client), deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return max(1.0, q[0] + self.window - now)
            q.append(now)
            return 0.0
