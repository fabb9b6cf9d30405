"""Scale benchmark of the binding rules and LIVE001 (issue 2 targets).

    python bench/bench_scale.py [--stores 10000 --accounts 60000 --binding-events 1000000
                                 --live-sessions 200000] [--data bench/data/scale]

Measures, each in a fresh process so peak RSS is its own:
  ingest   read + validate the CSV export into canonical tables
  checks   BIND001..BIND007 + LIVE001 on those tables
  whole    `shoplint check EXPORT --format json --output FILE` end to end
and, as the named baseline in the same run, the same rules as DuckDB SQL over the same CSV
files (bench/duckdb_rules.py), checking that both find the same violations.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

AS_OF = "2026-01-01T00:00:00+07:00"


def stage_ingest_and_checks(data: str) -> dict:
    """Run in a child process: time ingest and checks separately (the pipeline's stages),
    report peak RSS."""
    from lint import LintOptions, lint
    from lint.pipeline import StageTimes, load_pack

    codes = tuple(c for c, s in _registry().items() if not s.media)
    times = StageTimes()
    result = lint(data, LintOptions(as_of=AS_OF, select=codes, no_cache=True), hooks=times, policy=load_pack())
    counts = {}
    for f in result.findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    return {"ingest_s": times.times["read and validate"], "checks_s": times.times["checks"],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "findings": counts, "input_errors": len(result.problems), "rows": dict(result.rows_read)}


def _registry():
    from lint.checks import load_all
    return load_all()


def child(fn: str, *args) -> dict:
    code = f"import sys, json; sys.path[:0]={[str(HERE), str(HERE.parent)]!r}; import bench_scale as b; " \
           f"print(json.dumps(b.{fn}(*{list(args)!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def whole_run(data: str) -> dict:
    out = Path(data).parent / "report.json"
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-m", "lint", "check", data, "--format", "json", "--output", str(out),
                           "--as-of", AS_OF, "--select", "BIND,LIVE"], capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise SystemExit(f"shoplint failed: {proc.stderr}")
    return {"whole_s": elapsed, "peak_rss_mb": max(rss, before) / 1024, "report_mb": out.stat().st_size / 1e6}


def duckdb_baseline(data: str) -> dict:
    import duckdb_rules
    t0 = time.perf_counter()
    counts = duckdb_rules.run(data, AS_OF)
    return {"duckdb_s": time.perf_counter() - t0, "findings": counts,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stores", type=int, default=10_000)
    ap.add_argument("--accounts", type=int, default=60_000)
    ap.add_argument("--binding-events", type=int, default=1_000_000)
    ap.add_argument("--live-sessions", type=int, default=200_000)
    ap.add_argument("--data", default=str(HERE / "data" / "scale"))
    ap.add_argument("--no-duckdb", action="store_true")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "bindings.csv").exists():
        import generate
        generate.generate(str(data), stores=args.stores, accounts=args.accounts,
                          binding_events=args.binding_events, live_sessions=args.live_sessions, videos=0,
                          seed=1, fmt="csv")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    stages = child("stage_ingest_and_checks", str(data))
    print(json.dumps(stages, indent=1))
    whole = whole_run(str(data))
    print(json.dumps(whole, indent=1))
    if not args.no_duckdb:
        duck = child("duckdb_baseline", str(data))
        print(json.dumps(duck, indent=1))
        same = {k: v for k, v in duck["findings"].items() if stages["findings"].get(k, 0) != v}
        print("duckdb agrees on every rule" if not same else f"DUCKDB DIFFERS: {same} vs {stages['findings']}")


if __name__ == "__main__":
    main()
