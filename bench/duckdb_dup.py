"""DUP001 with the hashes given, as the DuckDB SQL a data engineer would write: every Official x
Marketing pair of videos of a store whose thumbnail hashes are within `--max-distance` bits
(brute force: a hash join on the store, then the popcount of the XOR of every pair).

    python bench/duckdb_dup.py EXPORT [--max-distance 8] [--pairs OUT.csv]

Only for the export bench/bench_dup.py writes (write_scale_export: every account bound once,
on 2024-01-01, before every video; hashes as 16 hex digits; three template captions and no
music, so DUP001's decision rule reduces to its first clause, "thumbnails match closely":
distance <= image_max_distance, 8). It is not DUP001 in general: no mirrored, inner, cropped
or bar-less forms, no captions, key frames or music, no binding history. Prints the pair count
(and writes the pairs with --pairs) so that the benchmark can check it against shoplint's
findings.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

SQL = """
CREATE TEMP TABLE roles AS
SELECT DISTINCT account_id, store_id, lower(trim(account_type)) AS t
FROM read_csv('{bindings}', all_varchar = true) WHERE lower(trim(action)) = 'bind';

CREATE TEMP TABLE v AS
SELECT r.store_id, r.t, v.video_id, ('0x' || trim(v.thumbnail_phash))::UBIGINT AS h
FROM read_csv('{videos}', all_varchar = true) v JOIN roles r USING (account_id)
WHERE v.thumbnail_phash IS NOT NULL;

SELECT o.store_id, o.video_id AS official_video, m.video_id AS marketing_video,
       bit_count(xor(o.h, m.h)) AS distance
FROM (SELECT * FROM v WHERE t = 'official') o
JOIN (SELECT * FROM v WHERE t = 'marketing') m ON o.store_id = m.store_id
WHERE bit_count(xor(o.h, m.h)) <= {max_distance} AND o.video_id <> m.video_id
"""


def pairs(export: Path, max_distance: int = 8):
    con = duckdb.connect()
    *setup, query = [s for s in SQL.format(bindings=export / "bindings.csv", videos=export / "videos.csv",
                                           max_distance=int(max_distance)).split(";") if s.strip()]
    for stmt in setup:
        con.execute(stmt)
    return con.sql(query).to_arrow_table()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", type=Path)
    ap.add_argument("--max-distance", type=int, default=8)
    ap.add_argument("--pairs", type=Path, default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    table = pairs(args.export, args.max_distance)
    if args.pairs:
        import pyarrow.csv as pacsv
        pacsv.write_csv(table.sort_by([("official_video", "ascending"), ("marketing_video", "ascending")]),
                        args.pairs)
    print(f"{table.num_rows} pairs within {args.max_distance} bits in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    print(table.num_rows)


if __name__ == "__main__":
    main()
