"""Dask scale-out benchmark (issue 5, item 6): run time of the checks on 1 and 2 workers of a
LocalCluster against the in-process engine, on the same validated tables.

    python bench/bench_dask.py [--stores 2000 --accounts 12000 --binding-events 200000
                                --live-sessions 40000 --videos 40000] [--data bench/data/dask]
                               [--workers 1,2] [--repeat 3]

Ingest (read + validate CSV, in-process for both engines) is timed once and reported apart.

With --parquet the export is written in Parquet (bindings and live_sessions in row groups of
--row-group rows), and each cluster also times the whole run both ways: "client ingest"
(lint.ingest.load_export in this process, then run_dask) against "worker reading"
(lint.engines.dask.session.DaskSession: the client reads the small tables and the Parquet metadata,
the workers read and validate bindings and live_sessions and keep them for the checks).
For each worker count a LocalCluster (processes, one thread each) is started (timed), then
run_dask is run `--repeat` times against its address: the first run is "cold" (the workers
import shoplint, pandas, pyarrow), the best of the others "warm". Every Dask report is
checked byte for byte against the in-process JSON report.
"""
from __future__ import annotations

import argparse
import dataclasses
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
    ap.add_argument("--parquet", action="store_true", help="Parquet export; also time worker-side reading")
    ap.add_argument("--row-group", type=int, default=20_000, help="with --parquet: rows per row group")
    ap.add_argument("--one", nargs=2, metavar=("MODE", "ADDRESS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:  # one whole run in a fresh process: its peak memory is the client's
        _one_run(args)
        return

    import pyarrow as pa
    from distributed import LocalCluster

    from lint.core.model import Problems
    from lint.core.policy import load_policy
    from lint.engines.dask.cluster import run_dask
    from lint.engines.local import run
    from lint.ingest import ExportSource, MediaOptions, load_export
    from lint.ingest.timestamps import parse_instants

    data = Path(args.data + ("-parquet" if args.parquet else ""))
    ext = "parquet" if args.parquet else "csv"
    if not (data / f"bindings.{ext}").exists():
        import generate
        print("generating", generate.generate(str(data), stores=args.stores, accounts=args.accounts,
                                              binding_events=args.binding_events,
                                              live_sessions=args.live_sessions, videos=args.videos, seed=1,
                                              fmt=ext))
        if args.parquet:
            import pyarrow.parquet as pq
            for table in ("bindings", "live_sessions"):
                path = data / f"{table}.parquet"
                pq.write_table(pq.read_table(path), path, row_group_size=args.row_group)
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
    expected = _report(result)
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
                if _report(r) != expected:
                    raise SystemExit(f"{n} workers: the Dask report differs from the in-process one")
            if args.parquet:
                whole = {"client ingest": [], "worker reading": []}
                for _ in range(args.repeat):
                    for mode in whole:
                        t0 = time.perf_counter()
                        r = _whole_run(mode, data, policy, codes, as_of, cluster.scheduler_address,
                                       args.npartitions)
                        whole[mode].append(time.perf_counter() - t0)
                        if _report(r) != expected:
                            raise SystemExit(f"{n} workers, {mode}: the report differs from the in-process one")
                rss = {mode: _client_rss(mode, data, cluster.scheduler_address, args) for mode in whole}
        out["dask"][n] = {"cluster_start_s": round(start_s, 2), "cold_s": round(runs[0], 2),
                          "warm_s": round(min(runs[1:] or runs), 2)}
        if args.parquet:
            out["dask"][n]["whole_run"] = {m: {"cold_s": round(t[0], 2), "warm_s": round(min(t[1:] or t), 2),
                                               "client_peak_rss_mb": rss[m]} for m, t in whole.items()}
        print(n, "workers:", json.dumps(out["dask"][n]), "(report identical)")

    print("\n| engine | cluster start | first run (cold) | warm run | vs in-process |")
    print("|---|---|---|---|---|")
    print(f"| in-process (lint.engines.local.run) | - | - | {out['in_process_s']:.2f} s | 1.00 |")
    for n, d in out["dask"].items():
        print(f"| Dask, {n} worker{'s' if n > 1 else ''} | {d['cluster_start_s']:.2f} s | {d['cold_s']:.2f} s | "
              f"{d['warm_s']:.2f} s | {d['warm_s'] / out['in_process_s']:.2f} |")
    if args.parquet:
        print(f"\nread + validate + checks (Parquet; in-process: ingest {out['ingest_s']:.2f} s + checks "
              f"{out['in_process_s']:.2f} s = {out['ingest_s'] + out['in_process_s']:.2f} s)\n")
        print("| workers | client ingest + run_dask: cold / warm, client peak RSS | "
              "worker reading: cold / warm, client peak RSS |")
        print("|---|---|---|")
        for n, d in out["dask"].items():
            c, w = d["whole_run"]["client ingest"], d["whole_run"]["worker reading"]
            print(f"| {n} | {c['cold_s']:.2f} s / {c['warm_s']:.2f} s, {c['client_peak_rss_mb']} MB | "
                  f"{w['cold_s']:.2f} s / {w['warm_s']:.2f} s, {w['client_peak_rss_mb']} MB |")


def _client_rss(mode: str, data: Path, address: str, args) -> int:
    """Peak RSS (MB) of a fresh client process making one whole run against `address`."""
    import subprocess
    cmd = [sys.executable, __file__, "--one", mode, address, "--data", args.data, "--parquet"]
    if args.npartitions:
        cmd += ["--npartitions", str(args.npartitions)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1])


def _report(result) -> str:
    """The JSON report without the export's name (the engine-level runs give none)."""
    from lint.reports.json_report import render
    return render(dataclasses.replace(result, export_name=""))


def _one_run(args):
    import pyarrow as pa

    from lint.core.policy import load_policy
    from lint.ingest.timestamps import parse_instants
    mode, address = args.one
    policy = load_policy()
    as_of = int(parse_instants(pa.array([AS_OF]), None, ZONE)[0][0])
    _whole_run(mode, Path(args.data + "-parquet"), policy, policy.select([], []), as_of, address, args.npartitions)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent (the benchmark) through exec
    with open("/proc/self/status") as fh:
        print(next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmHWM:")))


def _whole_run(mode: str, data: Path, policy, codes, as_of: int, address: str, npartitions):
    """Read, validate and check the export on the cluster at `address`, one way or the other:
    "client ingest" reads every table here and gives the tables to the engine (the engine-level
    path, for comparison); "worker reading" is the pipeline's own dask engine."""
    from lint.core.model import Problems
    from lint.engines.dask.cluster import run_dask
    from lint.ingest import ExportSource, MediaOptions, load_export
    if mode == "client ingest":
        problems = Problems()
        with ExportSource.open(data) as source:
            export = load_export(source, ZONE, problems, media=MediaOptions(cache_dir=None))
            return dataclasses.replace(run_dask(export, policy, codes, as_of, ZONE, problems.sorted(),
                                                scheduler=address, npartitions=npartitions), export_name=source.name)
    # worker reading is what `shoplint check --engine dask` does: the pipeline with the dask engine
    from lint import LintOptions, lint
    return lint(data, LintOptions(as_of=as_of, select=tuple(codes), engine="dask", scheduler=address,
                                  no_cache=True), policy=policy)


if __name__ == "__main__":
    main()
