"""Bounded reading (issue 12): peak memory of `shoplint check` on tables built to sit at the
default table limits (SHOPLINT_TABLE_MAX_ROWS / _CELLS / _BYTES), and the time and memory of
refusing the issue's attacks.

    python bench/bench_limits.py [--cases NAME,...] [--out DIR]

Each case is one table in its own export folder, linted by the real command line in a child
process (`--format json --no-cache -q`); its peak RSS is the child's ru_maxrss. The tables are
bindings in event form with valid rows, so the whole pipeline (read, validate, checks, report)
runs on them; extra columns fill the cell budget. A case is skipped when its folder's table is
already there (the data is written once, about 1 GB in all).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
import lint.ingest.reader as reader  # noqa: E402

COLUMNS = ["event_id", "store_id", "account_id", "account_type", "action", "at"]


def rows(n: int, pad: int = 0):
    """Valid binding events, as a big seller's export has them: each account bound once, as
    Marketing, to one of 5,000 stores, over two years (few findings: the point is the reading)."""
    for i in range(n):
        minute = i * 525_600 * 2 // max(n, 1)
        day, rest = divmod(minute, 1440)
        year, doy = 2024 + day // 365, day % 365
        month, mday = 1 + doy // 31 % 12, 1 + doy % 28
        yield [f"E{i:09d}", f"S{i % 5000:05d}", f"A{i:09d}", "marketing", "bind",
               f"{year}-{month:02d}-{mday:02d}T{rest // 60:02d}:{rest % 60:02d}:00+07:00"]


def write_csv(path: Path, n: int, extra_cols: int = 0, pad: int = 0):
    head = COLUMNS + [f"extra{j}" for j in range(extra_cols)]
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(head) + "\n")
        tail = "," + ",".join("e" for _ in range(extra_cols)) if extra_cols else ""
        for r in rows(n):
            if pad:
                r[1] = r[1] + "_" + "p" * pad
            f.write(",".join(r) + tail + "\n")


def write_jsonl(path: Path, n: int, pad: int = 0, extra_keys: int = 0):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows(n):
            if pad:
                r[1] = r[1] + "_" + "p" * pad
            record = dict(zip(COLUMNS, r))
            record.update((f"x{j}", "e") for j in range(extra_keys))
            f.write(json.dumps(record) + "\n")


def write_json(path: Path, n: int):
    with open(path, "w", encoding="utf-8") as f:
        f.write("[")
        for i, r in enumerate(rows(n)):
            f.write(("," if i else "") + json.dumps(dict(zip(COLUMNS, r))))
        f.write("]")


def write_xlsx(path: Path, n: int, extra_cols: int = 0):
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, COLUMNS + [f"extra{j}" for j in range(extra_cols)])
    tail = ["e"] * extra_cols
    for i, r in enumerate(rows(n), start=1):
        ws.write_row(i, 0, r + tail)
    wb.close()


def sparse_xlsx(path: Path):
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, COLUMNS)
    ws.write(999_999, 99, "x")  # CV1000000
    wb.close()


R, C, B = reader.TABLE_MAX_ROWS, reader.TABLE_MAX_CELLS, reader.TABLE_MAX_BYTES
CASES = {
    # name: (file name, writer, what it is)
    "csv-rows": ("bindings.csv", lambda p: write_csv(p, R, extra_cols=C // R - 6),
                 f"CSV, {R:,} rows x {C // R} columns (the row and cell limits)"),
    "csv-bytes": ("bindings.csv", lambda p: write_csv(p, R, pad=(B // R) - 75),
                  f"CSV, {R:,} rows x 6 columns, long store ids: ~{B >> 20} MiB (the row and byte limits)"),
    "jsonl-rows": ("bindings.jsonl", lambda p: write_jsonl(p, R), f"JSONL, {R:,} rows x 6 keys"),
    "jsonl-cells": ("bindings.jsonl", lambda p: write_jsonl(p, R, extra_keys=C // R - 6),
                    f"JSONL, {R:,} rows x {C // R} keys (the row and cell limits)"),
    "json-rows": ("bindings.json", lambda p: write_json(p, min(R, C // 6 - 1)),
                  f"JSON array, {min(R, C // 6 - 1):,} records x 6 keys (the value limit)"),
    "xlsx-cells": ("bindings.xlsx", lambda p: write_xlsx(p, 1_000_000, extra_cols=C // 1_000_000 - 6),
                   f"XLSX, 1,000,000 rows x {C // 1_000_000} columns (the cell limit; a sheet holds 1,048,576 rows)"),
    "xlsx-bytes": ("bindings.xlsx", lambda p: write_xlsx(p, 500_000),
                   "XLSX, 500,000 rows x 6 columns (inline strings: its sheet just under the byte limit)"),
    "xlsx-sparse": ("bindings.xlsx", sparse_xlsx, "the issue's sparse XLSX (one cell at CV1000000), refused"),
}


def measure(folder: Path) -> dict:
    code = ("import resource,sys,runpy,time; t=time.perf_counter(); sys.argv=['lint','check',sys.argv[1],"
            "'--format','json','--output',sys.argv[2],'--no-cache','-q','--as-of','2026-01-01T00:00:00+07:00']\n"
            "try:\n    runpy.run_module('lint', run_name='__main__')\n"
            "finally:\n    print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code, str(folder), str(folder.parent / (folder.name + ".json"))],
                         capture_output=True, text=True, cwd=REPO, timeout=900)
    secs, kb = res.stderr.strip().splitlines()[-1].split()
    return {"exit": res.returncode, "seconds": float(secs), "peak_mb": int(kb) / 1024,
            "message": res.stderr.strip().splitlines()[-2][:160] if res.returncode == 2 else ""}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--out", type=Path, default=Path("/tmp/shoplint-bench-limits"))
    args = ap.parse_args()
    print(f"limits: rows {R:,}, cells {C:,}, bytes {B:,}")
    print("| case | file size | exit | time | peak RSS |\n|---|---:|---:|---:|---:|")
    for name in args.cases.split(","):
        file_name, write, what = CASES[name]
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name
        if not path.exists():
            write(path)
        m = measure(folder)
        print(f"| {what} | {path.stat().st_size / 2**20:.1f} MiB | {m['exit']} | {m['seconds']:.1f} s | "
              f"{m['peak_mb']:.0f} MB |" + (f" {m['message']}" if m["message"] else ""), flush=True)


if __name__ == "__main__":
    main()
