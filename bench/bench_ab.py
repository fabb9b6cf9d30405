"""Whole process against whole process: `shoplint check` of two checkouts of this repo on the
same export, runs interleaved (A, B, A, B, ...) so that a busy machine slows both alike;
medians of wall time and of peak RSS, and the reports compared byte for byte.

    git worktree add --detach /tmp/before <commit>
    python bench/bench_ab.py --a /tmp/before --b . --export bench/data/m1 --runs 5 \
        -- --as-of 2026-01-01T00:00:00+07:00 --format json

Each run is `python -m lint check EXPORT ARGS -o REPORT` with PYTHONPATH set to the checkout
(the same interpreter and libraries for both), timed by wall clock, with the child's
max RSS from wait4.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(checkout: Path, export: str, args: list[str], report: Path) -> tuple[float, float, int]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "lint", "check", export, *args, "-o", str(report)],
                            cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{checkout}: exit {code}: {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, code


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--a", required=True, type=Path, help="first checkout (the baseline)")
    p.add_argument("--b", required=True, type=Path, help="second checkout")
    p.add_argument("--export", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("args", nargs="*", help="arguments of `shoplint check` after EXPORT")
    o = p.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    times: dict[str, list] = {"a": [], "b": []}
    for _ in range(o.runs):
        for side, checkout in (("a", o.a), ("b", o.b)):
            wall, rss, code = one_run(checkout.resolve(), o.export, o.args, out / f"{side}.report")
            times[side].append((wall, rss, code))
    same = (out / "a.report").read_bytes() == (out / "b.report").read_bytes()
    print(f"machine: {os.cpu_count()} cores; {o.runs} interleaved runs each; export {o.export}")
    print("| checkout | median wall | runs (s) | median peak RSS | exit |")
    print("|---|---:|---|---:|---:|")
    for side, checkout in (("a", o.a), ("b", o.b)):
        walls = [t for t, _, _ in times[side]]
        rss = statistics.median(r for _, r, _ in times[side])
        print(f"| {checkout} | {statistics.median(walls):.2f} s | {', '.join(f'{t:.2f}' for t in walls)} | "
              f"{rss:.0f} MB | {times[side][0][2]} |")
    print("reports byte-identical:", same)


if __name__ == "__main__":
    main()
