"""Past one machine's comfort (issue 13, items 4 and 5): whole `shoplint check` processes on a
big export, in-process and on a Dask cluster of separate local processes, with the peak memory
of every process (client, scheduler, each worker), wall and CPU times, and the reports compared.

    python bench/bench_big.py --data bench/data/m10-parquet --modes local,dask --runs 1 \
        [--workers 2] [--worker-memory-limit auto] [--select BIND,LIVE] [--stop-gb 16]
    python bench/bench_big.py --data bench/data/dupscale --modes local,duckdb_dup --select DUP001 --runs 3

Each run is a fresh set of processes, so each process's peak RSS (VmHWM) is that run's (every
process gets SHOPLINT_TABLE_MAX_ROWS/CELLS/BYTES raised past the export: see LIMITS):
  local  `python -m lint check DATA --format json -o R --select ... --as-of ... --no-cache`;
         peak RSS and CPU (user + system) from wait4 of the child.
  duckdb_dup  `python bench/duckdb_dup.py DATA --pairs P.csv` (the DUP001 thumbnail clause as SQL,
         for bench_dup's 1M-video export): its pairs are compared with shoplint's findings.
  dask   `dask scheduler` and N `dask worker --nthreads 1 --no-nanny` processes are started
         (the time until every worker has registered is "cluster start", not in the wall),
         then the same command with `--engine dask --scheduler SCHEDULER_FILE` (bindings and
         live_sessions in Parquet are read and validated on the workers). The client's peak
         RSS and CPU come from wait4; each worker's and the scheduler's from /proc (VmHWM) and
         psutil (CPU) just before they are stopped.

Needs psutil (and for `dask` the dask extra: the `dask` command beside this Python).
This benchmark process imports neither pandas nor dask (it stays ~20 MB, so the children's
ru_maxrss, which Linux carries over from the parent through fork and exec, is theirs). A
watchdog samples the RSS of every process of the run four times a second: if their sum passes
--stop-gb, or the machine's available memory falls under --min-available-gb (the machine is
shared), the run is stopped and recorded as "did not fit" with the RSS where it was stopped.

The reports are compared byte for byte with the first run's report of the first mode; if the
bytes differ the findings (rule, subject, message...) are compared as JSON without the
report's header. Results are printed as JSON lines and appended to --log (a JSON-lines file);
the RSS of every process, each second, is written to OUT/rss-MODE-RUN.csv.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent  # the shoplint checkout whose `lint` runs (--code: another one, e.g. an older commit)
AS_OF = "2026-01-01T00:00:00+07:00"
PY = sys.executable
DASK = str(Path(PY).with_name("dask"))


def _hwm_mb(pid: int) -> float | None:
    """Peak RSS of a live process (VmHWM), MB."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _available_gb() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


class Watchdog(threading.Thread):
    """Samples the RSS of the given processes (and their children); stops them all when the sum
    passes the limit or the machine runs short."""

    def __init__(self, stop_gb: float, min_available_gb: float):
        super().__init__(daemon=True)
        self.procs: dict[str, psutil.Process] = {}
        self.peak_sum_mb = 0.0
        self.peak_mb: dict[str, float] = {}
        self.stopped: str | None = None
        self.stop_gb, self.min_available_gb = stop_gb, min_available_gb
        self.timeline: list[tuple[float, dict[str, float]]] = []  # (s since start, {name: RSS MB}) each second
        self.spill_dir: Path | None = None  # the workers' local directories: what they spill, each second
        self.peak_spill_mb = 0.0
        self._done = threading.Event()

    def track(self, name: str, pid: int):
        self.procs[name] = psutil.Process(pid)

    def run(self):
        t0 = time.perf_counter()
        while not self._done.wait(0.25):
            total = 0.0
            now: dict[str, float] = {}
            for name, p in list(self.procs.items()):
                try:
                    rss = p.memory_info().rss / 2**20
                    for c in p.children(recursive=True):
                        rss += c.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), rss)
                now[name] = rss
                total += rss
            t = time.perf_counter() - t0
            if not self.timeline or t - self.timeline[-1][0] >= 1.0:
                self.timeline.append((round(t, 1), {k: round(v) for k, v in now.items()}))
                if self.spill_dir is not None:
                    spilled = 0
                    for f in (f for d in self.spill_dir.glob("w*") for f in d.rglob("*")):
                        try:
                            spilled += f.stat().st_size if f.is_file() else 0
                        except OSError:
                            pass
                    self.peak_spill_mb = max(self.peak_spill_mb, spilled / 2**20)
            self.peak_sum_mb = max(self.peak_sum_mb, total)
            avail = _available_gb()
            if self.stopped is None and (total > self.stop_gb * 1024 or avail < self.min_available_gb):
                self.stopped = (f"stopped: processes' RSS {total / 1024:.1f} GB "
                                f"(limit {self.stop_gb} GB), machine available {avail:.1f} GB")
                for p in self.procs.values():
                    try:
                        for c in p.children(recursive=True):
                            c.kill()
                        p.kill()
                    except psutil.Error:
                        pass

    def finish(self):
        self._done.set()
        self.join()


def _wait(proc: subprocess.Popen) -> tuple[int, float, float]:
    """-> (return code, CPU s (user + system, with reaped children), peak RSS MB) from wait4."""
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def _check_cmd(args, report: Path) -> list[str]:
    cmd = [PY, "-m", "lint", "check", str(args.data), "--format", "json", "-o", str(report),
           "--as-of", AS_OF, "--no-cache"]
    if args.select:
        cmd += ["--select", args.select]
    return cmd


# the table limits (lint.ingest.reader) guard a shared service against a file built to expand;
# a 10M-row export is over them on purpose: raised for every process of the run (workers too)
LIMITS = {"SHOPLINT_TABLE_MAX_ROWS": "50000000", "SHOPLINT_TABLE_MAX_CELLS": "1000000000",
          "SHOPLINT_TABLE_MAX_BYTES": str(16 * 1024**3)}


def _env():
    return {**os.environ, **LIMITS, "PYTHONPATH": str(ROOT)}


def run_local(args, report: Path, dog: Watchdog) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(_check_cmd(args, report), env=_env(), stdout=subprocess.DEVNULL,
                            cwd=ROOT)
    dog.track("client", proc.pid)
    rc, cpu, rss = _wait(proc)
    wall = time.perf_counter() - t0
    return {"rc": rc, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "client_peak_rss_mb": round(rss),
            "total_cpu_s": round(cpu, 2)}


def run_duckdb_dup(args, pairs: Path, dog: Watchdog) -> dict:
    """bench/duckdb_dup.py (the DUP001 thumbnail clause as DuckDB SQL) as a whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([PY, str(HERE / "duckdb_dup.py"), str(args.data), "--pairs", str(pairs)], env=_env(),
                            stdout=subprocess.DEVNULL, cwd=ROOT)
    dog.track("client", proc.pid)
    rc, cpu, rss = _wait(proc)
    return {"rc": rc, "wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(cpu, 2),
            "client_peak_rss_mb": round(rss), "total_cpu_s": round(cpu, 2)}


def _same_pairs(pairs: Path, report: Path) -> str:
    """DuckDB's (official video, marketing video) pairs against shoplint's DUP001 findings."""
    import csv
    with open(pairs, newline="", encoding="utf-8") as fh:
        got = {(r["official_video"], r["marketing_video"]) for r in csv.DictReader(fh)}
    found = {tuple(f["subjects"]) for f in json.loads(report.read_text())["findings"] if f["rule"] == "DUP001"}
    if got == found:
        return f"same {len(got)} pairs as shoplint's findings"
    return (f"DIFFERENT: {len(got)} pairs, shoplint {len(found)} findings; {len(got - found)} only in DuckDB, "
            f"{len(found - got)} only in shoplint")


def run_dask(args, report: Path, dog: Watchdog, tmp: Path) -> dict:
    tmp.mkdir(parents=True, exist_ok=True)
    dog.spill_dir = tmp
    sched_file = tmp / "scheduler.json"
    sched_file.unlink(missing_ok=True)
    logs = []
    procs: dict[str, subprocess.Popen] = {}

    def start(name, cmd):
        log = open(tmp / f"{name}.log", "w")
        logs.append(log)
        procs[name] = subprocess.Popen(cmd, env=_env(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                       start_new_session=True)
        dog.track(name, procs[name].pid)

    t0 = time.perf_counter()
    out: dict = {}
    try:
        start("scheduler", [DASK, "scheduler", "--scheduler-file", str(sched_file), "--port", "0",
                            "--no-dashboard", "--no-show"])
        while not sched_file.exists():
            time.sleep(0.1)
            if procs["scheduler"].poll() is not None:
                raise SystemExit(f"the scheduler did not start: see {tmp / 'scheduler.log'}")
        for k in range(args.workers):
            start(f"worker{k + 1}", [DASK, "worker", "--scheduler-file", str(sched_file), "--nthreads", "1",
                                     "--no-nanny", "--no-dashboard", "--memory-limit", args.worker_memory_limit,
                                     "--local-directory", str(tmp / f"w{k + 1}"), "--name", f"w{k + 1}"])
        for k in range(args.workers):
            log = tmp / f"worker{k + 1}.log"
            while "Registered to" not in log.read_text(errors="replace"):
                time.sleep(0.1)
                if procs[f"worker{k + 1}"].poll() is not None:
                    raise SystemExit(f"worker {k + 1} did not start: see {log}")
        out["cluster_start_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        client = subprocess.Popen(_check_cmd(args, report) + ["--engine", "dask", "--scheduler", str(sched_file)],
                                  env=_env(), stdout=subprocess.DEVNULL, cwd=ROOT)
        dog.track("client", client.pid)
        rc, cpu, rss = _wait(client)
        out.update({"rc": rc, "wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(cpu, 2),
                    "client_peak_rss_mb": round(rss)})
        total = cpu
        for name, p in procs.items():
            try:
                ps = psutil.Process(p.pid)
                c = ps.cpu_times()
                out[f"{name}_cpu_s"] = round(c.user + c.system, 2)
                total += c.user + c.system
            except psutil.Error:
                out[f"{name}_cpu_s"] = None
            out[f"{name}_peak_rss_mb"] = round(_hwm_mb(p.pid) or 0) or None
        out["total_cpu_s"] = round(total, 2)
    finally:
        for name, p in procs.items():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for log in logs:
            log.close()
    return out


def _findings(path: Path):
    doc = json.loads(path.read_text())
    return {k: v for k, v in doc.items() if k not in ("generated_at", "run", "timings")} \
        if isinstance(doc, dict) else doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--modes", default="local,dask")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-memory-limit", default="auto",
                    help="dask worker --memory-limit (auto: the machine's memory / workers per process = all)")
    ap.add_argument("--select", default="BIND,LIVE")
    ap.add_argument("--stop-gb", type=float, default=16.0)
    ap.add_argument("--min-available-gb", type=float, default=1.5)
    ap.add_argument("--events", type=int, default=0, help="binding events in the export (for per-event figures)")
    ap.add_argument("--reference", type=Path, default=None,
                    help="compare every report with this one (default: the first run's report)")
    ap.add_argument("--code", type=Path, default=None,
                    help="run shoplint from this checkout (git worktree add --detach /tmp/old COMMIT)")
    ap.add_argument("--out", type=Path, default=HERE / "data" / "bench_big")
    ap.add_argument("--log", type=Path, default=HERE / "data" / "bench_big.jsonl")
    args = ap.parse_args()
    global ROOT
    if args.code:
        ROOT = args.code.resolve()
    args.data, args.out = args.data.resolve(), args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    modes = args.modes.split(",")
    reference: Path | None = args.reference
    results = {m: [] for m in modes}
    for run in range(args.runs):
        for mode in modes:
            report = args.out / f"report-{mode}-{run + 1}.json"
            report.unlink(missing_ok=True)
            dog = Watchdog(args.stop_gb, args.min_available_gb)
            dog.start()
            load0 = os.getloadavg()
            started = time.strftime("%H:%M:%S", time.gmtime())
            try:
                if mode == "local":
                    r = run_local(args, report, dog)
                elif mode == "duckdb_dup":
                    report = report.with_suffix(".csv")
                    r = run_duckdb_dup(args, report, dog)
                else:
                    r = run_dask(args, report, dog, args.out / f"dask-{run + 1}")
            finally:
                dog.finish()
            r.update({"mode": mode, "run": run + 1, "data": str(args.data), "select": args.select, "code": str(ROOT),
                      "workers": args.workers if mode == "dask" else None, "started_utc": started,
                      "load_before": [round(x, 2) for x in load0],
                      "load_after": [round(x, 2) for x in os.getloadavg()],
                      "sampled_peak_rss_mb": {k: round(v) for k, v in dog.peak_mb.items()},
                      "sampled_peak_sum_mb": round(dog.peak_sum_mb)})
            names = sorted({k for _, row in dog.timeline for k in row})
            with open(args.out / f"rss-{mode}-{run + 1}.csv", "w") as fh:  # the memory over the run, each second
                fh.write(",".join(["s"] + [f"{k}_mb" for k in names]) + "\n")
                for t, row in dog.timeline:
                    fh.write(",".join([str(t)] + [str(row.get(k, "")) for k in names]) + "\n")
            if mode == "dask":  # the most the workers had spilled to disk at once (sampled each second)
                r["peak_spilled_mb"] = round(dog.peak_spill_mb)
            if dog.stopped:
                r["stopped"] = dog.stopped
            elif r.get("rc") not in (0, 1) or not report.exists():
                r["failed"] = f"exit code {r.get('rc')}"
            elif mode == "duckdb_dup":
                r["report_equal"] = _same_pairs(report, reference) if reference else "no shoplint report to compare"
            else:
                if reference is None:
                    reference = report
                    r["report_equal"] = "reference"
                elif report.read_bytes() == reference.read_bytes():
                    r["report_equal"] = "byte-identical"
                else:
                    r["report_equal"] = ("findings equal, bytes differ" if _findings(report) == _findings(reference)
                                         else "DIFFERENT")
                r["report_bytes"] = report.stat().st_size
            if args.events:
                r["s_per_million_events_wall"] = round(r["wall_s"] / (args.events / 1e6), 3)
                r["s_per_million_events_cpu"] = round(r["total_cpu_s"] / (args.events / 1e6), 3)
            print(json.dumps(r), flush=True)
            with open(args.log, "a") as fh:
                fh.write(json.dumps(r) + "\n")
            results[mode].append(r)
    print("\n| mode | runs | median wall | median CPU (all processes) | client peak RSS | "
          "worker peak RSS | scheduler peak RSS | reports |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for mode, rs in results.items():
        ok = [r for r in rs if "wall_s" in r and "stopped" not in r and "failed" not in r]
        if not ok:
            print(f"| {mode} | {len(rs)} | did not finish: {rs[0].get('stopped') or rs[0].get('failed')} |")
            continue
        med = lambda key: statistics.median(r[key] for r in ok)  # noqa: E731
        workers = "-" if mode != "dask" else ", ".join(
            f"{statistics.median(r[f'worker{k + 1}_peak_rss_mb'] for r in ok):.0f} MB" for k in range(args.workers))
        sched = "-" if mode != "dask" else f"{med('scheduler_peak_rss_mb'):.0f} MB"
        print(f"| {mode} | {len(ok)} | {med('wall_s'):.1f} s | {med('total_cpu_s'):.1f} s | "
              f"{med('client_peak_rss_mb'):.0f} MB | {workers} | {sched} | "
              f"{', '.join(r['report_equal'] for r in ok)} |")


if __name__ == "__main__":
    main()
