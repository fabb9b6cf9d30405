"""Whole processes side by side, per input format (issue 13): `shoplint check` (BIND and LIVE
rules, JSON report), the same rules as DuckDB SQL (bench/duckdb_rules.py) and pyarrow's plain
read of the same four files, all columns as text (the floor: what reading alone costs).

    python bench/bench_formats.py --export bench/data/m1 --runs 5 [--formats csv,parquet,jsonl]
        [--b /tmp/other-checkout]   # also time shoplint of another checkout (before/after)

The Parquet and JSONL copies of the CSV export are written once under `--copies` (default:
bench/data/<export name>-copies): the same values, every column as text (Parquet: string
columns; JSONL: one object per line, empty cells left out), so every tool reads the same
content in each format. Runs are interleaved (run 1 of every tool and format, then run 2...),
so that a busy machine slows all alike; each figure is the median (and min) wall time of the
runs, the median CPU time (user + system: on a shared machine the steadier measure of the work
done) and the median peak RSS (the child's max RSS from wait4). Findings per rule of shoplint
are checked against DuckDB's in every format.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TABLES = ("stores", "accounts", "bindings", "live_sessions")
AS_OF = "2026-01-01T00:00:00+07:00"

PLAIN_READ = r"""
import sys
from pathlib import Path
import pyarrow as pa, pyarrow.csv as pacsv, pyarrow.json as pajson, pyarrow.parquet as pq
folder, fmt = Path(sys.argv[1]), sys.argv[2]
rows = 0
for name in {tables}:
    path = folder / f"{{name}}.{{fmt}}"
    if fmt == "csv":
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split(",")
        t = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={{c: pa.string() for c in header}}))
    elif fmt == "parquet":
        t = pq.read_table(path)
    else:
        import json
        with open(path, encoding="utf-8") as f:
            header = list(json.loads(f.readline()))
        schema = pa.schema([(c, pa.string()) for c in header])
        t = pajson.read_json(path, parse_options=pajson.ParseOptions(explicit_schema=schema))
    rows += t.num_rows
print(rows)
""".format(tables=TABLES)


def make_copies(export: Path, copies: Path, formats: list[str]) -> dict[str, Path]:
    """The export in each format (CSV: the export itself)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    out = {"csv": export}
    for fmt in formats:
        if fmt == "csv":
            continue
        folder = copies / fmt
        out[fmt] = folder
        if all((folder / f"{t}.{fmt}").exists() for t in TABLES):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            src = export / f"{name}.csv"
            with open(src, encoding="utf-8") as f:
                header = f.readline().rstrip("\n").split(",")
            table = pacsv.read_csv(src, convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header}, strings_can_be_null=True))
            if fmt == "parquet":
                pq.write_table(table, folder / f"{name}.parquet")
            else:
                with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as f:
                    for rec in table.to_pylist():
                        f.write(json.dumps({k: v for k, v in rec.items() if v is not None}, ensure_ascii=False))
                        f.write("\n")
    return out


# The child is started, timed and measured by a small process of its own: a child's ru_maxrss
# counts the high-water mark of the process it was forked from (Linux keeps it across exec),
# so children forked straight from this one, once it has held the copies or a report, would
# all show this process's peak instead of their own.
_MEASURE = r"""
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
with open(sys.argv[1], "w") as f:
    json.dump([wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)], f)
"""


def timed(cmd: list[str], env: dict, cwd: Path) -> tuple[float, float, float, str]:
    """Wall time, peak RSS (MB), CPU time (user + system, s) and stdout of one whole process."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile(suffix=".json") as figures:
        proc = subprocess.run([sys.executable, "-c", _MEASURE, figures.name, *cmd], cwd=cwd, env=env,
                              stdout=out, stderr=subprocess.PIPE)
        wall, rss, cpu, code = json.loads(Path(figures.name).read_text())
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)}: exit {code}: {proc.stderr.decode()[-2000:]}")
        out.seek(0)
        return wall, rss, cpu, out.read().decode()


def shoplint_counts(report: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in json.loads(report.read_text())["findings"]:
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    return dict(sorted(counts.items()))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--export", required=True, type=Path, help="a CSV export (bench/generate.py)")
    p.add_argument("--copies", type=Path, default=None)
    p.add_argument("--formats", default="csv,parquet,jsonl")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--b", type=Path, default=None, help="another checkout whose shoplint is timed too")
    o = p.parse_args()
    formats = o.formats.split(",")
    export = o.export.resolve()
    copies = (o.copies or HERE / "data" / f"{export.name}-copies").resolve()
    folders = make_copies(export, copies, formats)
    repo = HERE.parent
    checkouts = {"shoplint": repo} | ({f"shoplint ({o.b})": o.b.resolve()} if o.b else {})
    tmp = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    results: dict[tuple[str, str], list] = {}
    agree: dict[str, bool] = {}
    for _ in range(o.runs):
        for fmt in formats:
            folder = str(folders[fmt])
            jobs = [(name, [sys.executable, "-m", "lint", "check", folder, "--format", "json", "-o",
                            str(tmp / f"{fmt}.{k}.json"), "--select", "BIND,LIVE", "--as-of", AS_OF], checkout)
                    for k, (name, checkout) in enumerate(checkouts.items())]
            jobs.append(("DuckDB SQL", [sys.executable, str(HERE / "duckdb_rules.py"), folder, AS_OF], repo))
            jobs.append(("pyarrow plain read", [sys.executable, "-c", PLAIN_READ, folder, fmt], repo))
            for name, cmd, cwd in jobs:
                env = {**os.environ, "PYTHONPATH": str(cwd)}
                wall, rss, cpu, out = timed(cmd, env, cwd)
                results.setdefault((fmt, name), []).append((wall, rss, cpu))
                if name == "DuckDB SQL":
                    agree[fmt] = json.loads(out) == shoplint_counts(tmp / f"{fmt}.0.json")
    print(f"machine: {os.cpu_count()} cores, load average before the last run "
          f"{os.getloadavg()[0]:.1f}; {o.runs} interleaved runs; export {export}")
    print("| input | process | median wall | min wall | / DuckDB | / plain read | median CPU (user+sys) "
          "| / DuckDB | / plain read | median peak RSS |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for fmt in formats:
        mine = {name: runs for (f, name), runs in results.items() if f == fmt}
        wall = {name: statistics.median(r[0] for r in runs) for name, runs in mine.items()}
        cpu = {name: statistics.median(r[2] for r in runs) for name, runs in mine.items()}
        for name, runs in mine.items():
            print(f"| {fmt} | {name} | {wall[name]:.2f} s | {min(r[0] for r in runs):.2f} s | "
                  f"{wall[name] / wall['DuckDB SQL']:.2f} | {wall[name] / wall['pyarrow plain read']:.2f} | "
                  f"{cpu[name]:.2f} s | {cpu[name] / cpu['DuckDB SQL']:.2f} | "
                  f"{cpu[name] / cpu['pyarrow plain read']:.2f} | {statistics.median(r[1] for r in runs):.0f} MB |")
    print("findings per rule, shoplint = DuckDB:", ", ".join(f"{f} {agree[f]}" for f in formats))


if __name__ == "__main__":
    main()
