"""Second-run speed-up of a nightly lint: the image-hash cache (issue 5, item 4).

    .venv/bin/python bench/bench_incremental.py [--data bench/data/dupeval-s1] [--changed 0.05]
                                                [--repeat 3]

Runs the real command line (`python -m lint check DATA --format json`) in fresh processes:

  no cache       --no-cache: every picture decoded and hashed (the baseline);
  first run      an empty --cache-dir: everything hashed, and the hashes stored;
  unchanged      the same export again with the filled cache: nothing re-hashed;
  N % changed    a copy of the export in which N % of the pictures were re-encoded (new
                 bytes, so new content hashes), with the same cache: only those re-hashed.

and checks that every report is byte-identical to the no-cache one (the re-encoded copy is
compared with its own no-cache report). Prints a Markdown table for bench/RESULTS.md.
The data folder is built by bench/dupdata.py (bench/eval_dup.py builds it when missing).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = "2026-01-01T00:00:00+07:00"


def lint(data: Path, out: Path, *cache_args: str) -> float:
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "lint", "check", str(data), "--format", "json", "--output", str(out),
                          "--as-of", AS_OF, "-q", *cache_args], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if res.returncode not in (0, 1):
        sys.exit(f"lint failed ({res.returncode}): {res.stderr}")
    return elapsed


def reencode(folder: Path, share: float, seed: int) -> int:
    """Re-save `share` of the JPEGs at another quality: same picture, new bytes."""
    pictures = sorted((folder / "media").glob("*.jpg"))
    chosen = random.Random(seed).sample(pictures, round(len(pictures) * share))
    for path in chosen:
        with Image.open(path) as img:
            img.convert("RGB").save(path, quality=83)
    return len(chosen)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE / "data" / "dupeval-s1")
    ap.add_argument("--changed", type=float, default=0.05, help="share of pictures re-encoded for the last run")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each kind; the best is shown")
    args = ap.parse_args()
    if not (args.data / "videos.csv").is_file():
        sys.exit(f"{args.data}: no export; build it with: python bench/eval_dup.py --data {args.data} --seed 1")
    pictures = len(list((args.data / "media").glob("*.jpg")))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reports = {}

        def best(name, data, *cache_args, fresh_cache=False):
            times = []
            for i in range(args.repeat):
                if fresh_cache:
                    shutil.rmtree(tmp / "cache", ignore_errors=True)
                out = tmp / f"{name}-{i}.json"
                times.append(lint(data, out, *cache_args))
                reports.setdefault(name, out.read_bytes())
                assert out.read_bytes() == reports[name], f"{name}: run {i} differs from run 0"
            return min(times)

        cache = ("--cache-dir", str(tmp / "cache"))
        baseline = best("no cache", args.data, "--no-cache")
        rows.append(("no cache (baseline)", pictures, baseline))
        rows.append(("first run, empty cache", pictures, best("first", args.data, *cache, fresh_cache=True)))
        rows.append(("second run, unchanged export", 0, best("unchanged", args.data, *cache)))
        for name in ("first", "unchanged"):
            assert reports[name] == reports["no cache"], f"{name}: report differs from the no-cache report"

        changed = tmp / "changed"
        shutil.copytree(args.data, changed)
        n = reencode(changed, args.changed, seed=7)
        best("changed, no cache", changed, "--no-cache")
        # each repeat must find the n re-encoded pictures new: start from the unchanged run's cache
        shutil.rmtree(tmp / "cache")
        lint(args.data, tmp / "refill.json", *cache)
        snapshot = tmp / "cache-after-unchanged"
        shutil.copytree(tmp / "cache", snapshot)
        times = []
        for i in range(args.repeat):
            shutil.rmtree(tmp / "cache")
            shutil.copytree(snapshot, tmp / "cache")
            out = tmp / f"changed-{i}.json"
            times.append(lint(changed, out, *cache))
            assert out.read_bytes() == reports["changed, no cache"], "changed: report differs from its no-cache report"
        rows.append((f"next night, {args.changed:.0%} of pictures new", n, min(times)))

    print(f"{args.data.name}: {pictures} pictures; {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; best of {args.repeat} runs each; every report byte-identical "
          "to the no-cache report of the same export")
    print()
    print("| run | pictures hashed | time | vs no cache |")
    print("|---|---:|---:|---:|")
    for name, hashed, seconds in rows:
        print(f"| {name} | {hashed:,} | {seconds:.2f} s | {baseline / seconds:.1f}x |")


if __name__ == "__main__":
    main()
