"""How long recording a run and reading the history take as a history grows (issue 15).

    PYTHONPATH=. python bench/bench_history.py [--runs 100] [--findings 1000] [--db PATH_OR_URL]

Synthetic nights: `--findings` open findings in 20 stores, 5% of them fixed and as many new
each night. Prints, every 25 runs, the time to write one run (one transaction, which
re-derives the scope's findings table) and to read what a report needs (marks, resolved,
trend)."""
from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

from lint.nightly.history import (
    DAY_MS,
    Occurrence,
    RunRow,
    _compare,
    _compare_with_state,
    _read_transaction,
    write_run,
)

RULES = ("R1", "R2", "R3", "R4")


def occurrence(k: int) -> Occurrence:
    fp = hashlib.sha256(str(k).encode()).hexdigest()[:20]
    return Occurrence(fp, RULES[k % 4], f"S{k % 20:02d}", "error", (f"E{k}",))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--findings", type=int, default=1000)
    ap.add_argument("--db")
    a = ap.parse_args()
    db = a.db or str(Path(tempfile.mkdtemp()) / "history.db")
    churn = a.findings // 20
    first = 0
    t0 = 1_767_200_000_000
    for n in range(a.runs):
        occ = [occurrence(k) for k in range(first, first + a.findings)]
        counts: dict = {}
        for o in occ:
            counts.setdefault(o.store_id, {}).setdefault(o.rule, 0)
            counts[o.store_id][o.rule] += 1
        row = RunRow(scope="bench", as_of=t0 + n * DAY_MS, export="bench", options={}, rules_run=RULES,
                     stores=tuple(f"S{k:02d}" for k in range(20)), findings=len(occ), failing=len(occ),
                     input_errors=0, counts=counts)
        t = time.perf_counter()
        # what read_history does for a nightly run (later than every other one)
        _read_transaction(db, False, lambda d: _compare_with_state(d, db, "bench", row, tuple(occ), False) if d
                          else _compare(db, "bench", row, tuple(occ), [], {}, False))
        read_s = time.perf_counter() - t
        t = time.perf_counter()
        write_run(db, row, occ)
        write_s = time.perf_counter() - t
        if (n + 1) % 25 == 0 or n == 0:
            print(f"run {n + 1:4d}: read {read_s * 1000:7.0f} ms, write {write_s * 1000:7.0f} ms")
        first += churn
    if not db.startswith("postgres"):
        print(f"size: {Path(db).stat().st_size / 1e6:.1f} MB ({db})")


if __name__ == "__main__":
    main()
