"""Peak memory (RSS) and time of reading a large bindings file.

    .venv/bin/python bench/bench_ingest_memory.py [--rows 1000000] [--format csv|jsonl|parquet|xlsx]

Writes a bindings table in the event form (each (store, account) bound, then unbound
72 h later) to a temporary folder, then reads it in a fresh process exactly as
`shoplint check` does (read, validate, pair the events) and prints the process's peak
RSS (VmHWM, reset after the imports) next to its RSS after the imports (Linux only).
The baseline, in the same run and the same way: the file read with pandas alone
(`pd.read_csv(engine="pyarrow")` / `pd.read_json(lines=True)` / `pd.read_parquet`), which
neither validates nor pairs anything.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Each child imports what it needs, then measures: a child inherits its parent's high-water
# mark, so it is reset (Linux >= 4.0) after the imports.
MEASURE = r"""
import json, sys, time

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(key + ":"))

def measure(work):
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    base = status("VmRSS")
    t0 = time.perf_counter()
    result = work(sys.argv[1])
    result.update(seconds=round(time.perf_counter() - t0, 2), baseline_mb=round(base / 1024),
                  peak_mb=round(status("VmHWM") / 1024))
    print(json.dumps(result))
"""

CHILD = MEASURE + r"""
from lint.ingest import ExportSource, load_export
from lint.core.model import Problems

def ingest(folder):
    problems = Problems()
    with ExportSource.open(folder) as source:
        export = load_export(source, "Asia/Jakarta", problems)
    return {"rows_read": export.rows_read, "bindings": len(export.bindings), "problems": len(problems.items)}

measure(ingest)
"""

BASELINE = MEASURE + r"""
import pandas as pd

def read(path):
    if path.endswith(".csv"):
        frame = pd.read_csv(path, engine="pyarrow", dtype=str)
    elif path.endswith(".jsonl"):
        frame = pd.read_json(path, lines=True, dtype=False)
    else:
        frame = pd.read_parquet(path)
    return {"rows": len(frame)}

measure(read)
"""


def write_bindings(folder: Path, rows: int, fmt: str) -> Path:
    import numpy as np
    import pyarrow as pa
    n_pairs = rows // 2
    i = np.arange(n_pairs)
    start = 1_735_689_600 + (i * 37) % (300 * 86400)
    event = np.concatenate([i * 2, i * 2 + 1])
    table = pa.table({
        "event_id": pa.array([f"E{k:08d}" for k in event]),
        "store_id": pa.array([f"S{k % 5000:05d}" for k in np.concatenate([i, i])]),
        "account_id": pa.array([f"A{k:07d}" for k in np.concatenate([i, i])]),
        "account_type": pa.array(np.where(np.concatenate([i, i]) % 5 == 0, "official", "marketing")),
        "action": pa.array(["bind"] * n_pairs + ["unbind"] * n_pairs),
        "at": pa.array([str(x) for x in np.concatenate([start, start + 72 * 3600])]),
    })
    path = folder / f"bindings.{fmt}"
    if fmt == "csv":
        import pyarrow.csv as pacsv
        pacsv.write_csv(table, path)
    elif fmt == "parquet":
        import pyarrow.parquet as pq
        pq.write_table(table, path)
    elif fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as fh:
            for rec in table.to_pylist():
                fh.write(json.dumps(rec) + "\n")
    else:
        raise SystemExit(f"unsupported --format {fmt}")
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--format", default="csv", choices=["csv", "jsonl", "parquet"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="shoplint-bench-") as tmp:
        folder = Path(tmp) / "export"
        folder.mkdir()
        t0 = time.perf_counter()
        path = write_bindings(folder, args.rows, args.format)
        size_mb = path.stat().st_size / 1024**2
        print(f"wrote {path.name}: {args.rows} rows, {size_mb:.1f} MB in {time.perf_counter() - t0:.1f} s")
        out = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
        if out.returncode:
            raise SystemExit(out.stderr)
        result = json.loads(out.stdout)
        result["file_mb"] = round(size_mb, 1)
        print("shoplint ingest:", json.dumps(result))
        out = subprocess.run([sys.executable, "-c", BASELINE, str(path)], capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr)
        print("pandas read only:", out.stdout.strip())


if __name__ == "__main__":
    main()
