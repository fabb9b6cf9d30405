"""Dask scale-out benchmark (issue 5, item 6): run time of the checks on 1 and 2 workers of a
LocalCluster against the in-process engine, on the same validated tables.

    python bench/bench_dask.py [--stores 2000 --accounts 12000 --binding-events 200000
                                --live-sessions 40000 --videos 40000] [--data bench/data/dask]
                               [--workers 1,2] [--repeat 3]

Ingest (read + validate CSV, in-process for both engines) is timed once and reported apart.
For each worker count a LocalCluster (processes, one thread each) is started (timed), then
run_dask is run `--repeat` times against its address: the first run is "cold" (the workers
import shoplint, pandas, pyarrow), the best of the others "warm". Every Dask report is
checked byte for byte against the in-process JSON report.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

AS_OF = "2026-01-01T00:00:00+07:00"
ZONE = "Asia/Jakarta"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stores", type=int, default=2_000)
    ap.add_argument("--accounts", type=int, default=12_000)
    ap.add_argument("--binding-events", type=int, default=200_000)
    ap.add_argument("--live-sessions", type=int, default=40_000)
    ap.add_argument("--videos", type=int, default=40_000)
    ap.add_argument("--data", default=str(HERE / "data" / "dask"))
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--npartitions", type=int, default=None, help="partitions per pass (default: 2 x workers)")
    args = ap.parse_args()

    import pyarrow as pa
    from distributed import LocalCluster

    from lint.distributed import run_dask
    from lint.engine import run
    from lint.ingest import ExportSource, MediaOptions, load_export
    from lint.ingest.timestamps import parse_instants
    from lint.model import Problems
    from lint.policy import load_policy
    from lint.reports.json_report import render

    data = Path(args.data)
    if not (data / "bindings.csv").exists():
        import generate
        print("generating", generate.generate(str(data), stores=args.stores, accounts=args.accounts,
                                              binding_events=args.binding_events,
                                              live_sessions=args.live_sessions, videos=args.videos, seed=1))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    policy = load_policy()
    problems = Problems()
    t0 = time.perf_counter()
    with ExportSource.open(data) as source:
        export = load_export(source, ZONE, problems, media=MediaOptions(cache_dir=None))
    ingest_s = time.perf_counter() - t0
    rows = dict(export.rows_read)
    as_of = int(parse_instants(pa.array([AS_OF]), None, ZONE)[0][0])
    codes = policy.select([], [])
    lint_args = (export, policy, codes, as_of, ZONE, problems.sorted())

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = run(*lint_args)
        times.append(time.perf_counter() - t0)
    expected = render(result)
    counts = {}
    for f in result.findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    out = {"rows": rows, "ingest_s": round(ingest_s, 2), "findings": dict(sorted(counts.items())),
           "in_process_s": round(min(times), 2), "dask": {}}
    print(json.dumps(out, indent=1))

    for n in [int(x) for x in args.workers.split(",")]:
        t0 = time.perf_counter()
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            start_s = time.perf_counter() - t0
            runs = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                r = run_dask(*lint_args, scheduler=cluster.scheduler_address, npartitions=args.npartitions)
                runs.append(time.perf_counter() - t0)
                if render(r) != expected:
                    raise SystemExit(f"{n} workers: the Dask report differs from the in-process one")
        out["dask"][n] = {"cluster_start_s": round(start_s, 2), "cold_s": round(runs[0], 2),
                          "warm_s": round(min(runs[1:] or runs), 2)}
        print(n, "workers:", json.dumps(out["dask"][n]), "(report identical)")

    print("\n| engine | cluster start | first run (cold) | warm run | vs in-process |")
    print("|---|---|---|---|---|")
    print(f"| in-process (lint.engine.run) | - | - | {out['in_process_s']:.2f} s | 1.00 |")
    for n, d in out["dask"].items():
        print(f"| Dask, {n} worker{'s' if n > 1 else ''} | {d['cluster_start_s']:.2f} s | {d['cold_s']:.2f} s | "
              f"{d['warm_s']:.2f} s | {d['warm_s'] / out['in_process_s']:.2f} |")


if __name__ == "__main__":
    main()
