"""How low a whole `shoplint check` process can go (issue 13): the parts of the run that no
faster validation or check can remove, each timed as whole processes (or, for the report's
text, in-process), beside the issue's targets computed from the baselines of the same run.

    python bench/floor.py --export bench/data/m1 --runs 5

Processes, interleaved run by run, medians of wall and CPU (user + system, wait4):
  * `python -c pass`: the interpreter alone;
  * the imports of a check run: every module of lint, pandas, pyarrow and numpy that
    `shoplint check` has imported by its end (taken from a run on the export itself),
    imported in a fresh process and nothing else done;
  * pyarrow's plain read of the four CSV files, all columns as text (bench_formats.py's floor);
  * DuckDB running the same rules as SQL (bench/duckdb_rules.py);
  * `shoplint check EXPORT --format json -o R --select BIND,LIVE` (the issue's command).
And in one process, after the run's JSON report is loaded back into its dict: the time to
write that dict as the report's text (json.dumps(indent=1), which the report is byte for byte,
and lint.reports.json_text.dumps_indent1_utf8, which shoplint uses).

The floor is imports + plain read + writing the report's text (the interpreter is inside
the imports): what any run that reads these files with these libraries and writes this
report pays before it validates one row or checks one rule. The targets are 0.6x DuckDB's
wall and 3x the plain read's.
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
sys.path.insert(0, str(HERE))
from bench_formats import AS_OF, PLAIN_READ, timed  # noqa: E402

LIST_MODULES = r"""
import sys
export, report, as_of, listing = sys.argv[1:5]
sys.argv = ["shoplint", "check", export, "--format", "json", "-o", report, "--select", "BIND,LIVE", "--as-of", as_of]
from lint.cli import main
try:
    main()
except SystemExit:
    pass
import json
names = sorted(m for m in sys.modules if m.split(".")[0] in ("lint", "pandas", "pyarrow", "numpy", "click"))
open(listing, "w").write(json.dumps(names))
"""

IMPORT_ALL = r"""
import importlib, json, sys
for name in json.loads(open(sys.argv[1]).read()):
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""

WRITE_TEXT = r"""
import json, sys, time
from lint.reports.json_text import dumps_indent1_utf8
obj = json.loads(open(sys.argv[1], encoding="utf-8").read())
out = {}
for name, fn in (("json.dumps(indent=1)", lambda: (json.dumps(obj, ensure_ascii=False, indent=1) + "\n").encode()),
                 ("dumps_indent1_utf8", lambda: dumps_indent1_utf8(obj, end="\n"))):
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    out[name] = (time.perf_counter() - t0, time.process_time() - c0)
print(json.dumps(out))
"""


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--export", required=True, type=Path)
    p.add_argument("--runs", type=int, default=5)
    o = p.parse_args()
    export = o.export.resolve()
    repo = HERE.parent
    env = {**os.environ, "PYTHONPATH": str(repo)}
    tmp = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    report, modules = tmp / "report.json", tmp / "modules.json"
    subprocess.run([sys.executable, "-c", LIST_MODULES, str(export), str(report), AS_OF, str(modules)],
                   cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
    n_modules = len(json.loads(modules.read_text()))
    jobs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        f"imports of a check run ({n_modules} modules)": [sys.executable, "-c", IMPORT_ALL, str(modules)],
        "pyarrow plain read": [sys.executable, "-c", PLAIN_READ, str(export), "csv"],
        "DuckDB SQL": [sys.executable, str(HERE / "duckdb_rules.py"), str(export), AS_OF],
        "shoplint check": [sys.executable, "-m", "lint", "check", str(export), "--format", "json", "-o",
                           str(tmp / "r.json"), "--select", "BIND,LIVE", "--as-of", AS_OF],
    }
    results: dict[str, list] = {name: [] for name in jobs}
    writes: list[dict] = []
    for _ in range(o.runs):
        for name, cmd in jobs.items():
            wall, rss, cpu, _ = timed(cmd, env, repo)
            results[name].append((wall, cpu, rss))
        out = subprocess.run([sys.executable, "-c", WRITE_TEXT, str(report)], cwd=repo, env=env, check=True,
                             capture_output=True, text=True).stdout
        writes.append(json.loads(out))
    med = {name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
                  statistics.median(r[2] for r in runs)) for name, runs in results.items()}
    write = {name: (statistics.median(w[name][0] for w in writes), statistics.median(w[name][1] for w in writes))
             for name in writes[0]}
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; {o.runs} "
          f"interleaved runs; export {export}; report {report.stat().st_size / 1e6:.1f} MB")
    print("| process | median wall | median CPU | median peak RSS |")
    print("|---|---:|---:|---:|")
    for name, (wall, cpu, rss) in med.items():
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MB |")
    print("| writing the report's text, in-process | | | |")
    for name, (wall, cpu) in write.items():
        print(f"| - {name} | {wall:.2f} s | {cpu:.2f} s | |")
    imports = med[f"imports of a check run ({n_modules} modules)"]
    read = med["pyarrow plain read"]
    text = write["dumps_indent1_utf8"]
    floor = imports[0] + read[0] + text[0]
    print()
    print(f"floor (imports + plain read + report text): {floor:.2f} s wall "
          f"(CPU {imports[1] + read[1] + text[1]:.2f} s)")
    print(f"target 0.6x DuckDB: {0.6 * med['DuckDB SQL'][0]:.2f} s wall; target 3x plain read: "
          f"{3 * read[0]:.2f} s wall; shoplint now: {med['shoplint check'][0]:.2f} s wall, "
          f"{med['shoplint check'][1]:.2f} s CPU")


if __name__ == "__main__":
    main()
