"""The binding rules and LIVE001 as DuckDB SQL: what a data engineer would otherwise write.

The baseline of bench/bench_scale.py: it reads the same CSV files and returns the number of
findings per rule, so the benchmark can check both agree. It handles the event form with
offset timestamps (what bench/generate.py writes), not every shape shoplint reads.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

SQL = """
CREATE TEMP TABLE ev AS
SELECT * FROM (
  SELECT event_id, store_id, account_id, lower(trim(account_type)) AS t, lower(trim(action)) AS a,
         epoch_ms(TRY_CAST(trim("at") AS TIMESTAMPTZ)) AS ms, row_number() OVER () AS rn
  FROM {bindings_t})
-- a row whose timestamp does not parse is an input error: skipped, as shoplint does
WHERE ms IS NOT NULL;

CREATE TEMP TABLE ok AS
SELECT * FROM (
  SELECT *, lag(a) OVER (PARTITION BY store_id, account_id, t ORDER BY ms, rn) AS prev FROM ev
) WHERE NOT ((a = 'bind' AND coalesce(prev, '') = 'bind') OR (a = 'unbind' AND coalesce(prev, 'unbind') = 'unbind'));

CREATE TEMP TABLE b AS
SELECT * FROM (
  SELECT store_id, account_id, t, event_id AS bind_id, ms AS start, a,
         lead(a) OVER w AS next_a, lead(ms) OVER w AS next_ms, lead(rn) OVER w AS next_rn,
         lead(event_id) OVER w AS next_id
  FROM ok WINDOW w AS (PARTITION BY store_id, account_id, t ORDER BY ms, rn)
) WHERE a = 'bind';

CREATE TEMP TABLE bindings AS
SELECT store_id, account_id, t, bind_id, start,
       CASE WHEN next_a = 'unbind' THEN next_ms END AS "end",
       CASE WHEN next_a = 'unbind' THEN next_id END AS unbind_id,
       CASE WHEN next_a = 'unbind' THEN next_rn END AS unbind_rn,
       CASE WHEN next_a = 'unbind' THEN next_ms ELSE greatest(start, {as_of}) END AS until
FROM b;
"""

RULES = {
    "BIND001": """
SELECT count(*) FROM bindings o JOIN bindings m
  ON o.account_id = m.account_id AND o.t = 'official' AND m.t = 'marketing'
 AND greatest(o.start, m.start) < least(o.until, m.until)""",
    "BIND004": """SELECT count(*) FROM bindings WHERE "end" IS NOT NULL AND "end" - start < 48::BIGINT * 3600 * 1000""",
    "BIND005": """
SELECT count(*) FROM (
  SELECT row_number() OVER (PARTITION BY store_id ORDER BY "end", unbind_rn) AS nth
  FROM bindings WHERE t = 'official' AND "end" IS NOT NULL) WHERE nth > 3""",
    "BIND006": """
SELECT count(*) FROM (
  SELECT count(*) OVER (PARTITION BY store_id ORDER BY "end"
                        RANGE BETWEEN 180::BIGINT * 86400000 - 1 PRECEDING AND CURRENT ROW) AS n
  FROM bindings WHERE t = 'marketing' AND "end" IS NOT NULL) WHERE n > 10""",
    "BIND007": """
SELECT count(*) FROM bindings b
JOIN {stores_t} s ON s.store_id = b.store_id
JOIN {accounts_t} a ON a.account_id = b.account_id
WHERE b.t = 'official' AND nullif(trim(s.region), '') IS NOT NULL AND nullif(trim(a.region), '') IS NOT NULL
  AND upper(trim(s.region)) <> upper(trim(a.region))""",
    "LIVE001": """
WITH lives AS (
  SELECT live_id, account_id, epoch_ms(CAST(started_at AS TIMESTAMPTZ)) AS ls,
         coalesce(epoch_ms(CAST(nullif(ended_at, '') AS TIMESTAMPTZ)),
                  greatest(epoch_ms(CAST(started_at AS TIMESTAMPTZ)), {as_of})) AS le
  FROM {lives_t}),
roles AS (
  SELECT l.*, b.store_id, b.t FROM lives l JOIN bindings b
    ON l.account_id = b.account_id AND b.start <= l.ls AND l.ls < b.until)
SELECT count(*) FROM roles o JOIN roles m
  ON o.store_id = m.store_id AND o.t = 'official' AND m.t = 'marketing' AND o.live_id <> m.live_id
 AND least(o.le, m.le) - greatest(o.ls, m.ls) >= 60000""",
}

# BIND002/3: maximal periods with more than `limit` bindings in force (a sweep in SQL).
CROWDING = """
WITH d AS (
  SELECT store_id, start AS ts, 1 AS d FROM bindings WHERE t = '{t}' AND until > start
  UNION ALL SELECT store_id, until, -1 FROM bindings WHERE t = '{t}' AND until > start),
per_instant AS (SELECT store_id, ts, sum(d) AS d FROM d GROUP BY store_id, ts),
counts AS (SELECT store_id, ts, sum(d) OVER (PARTITION BY store_id ORDER BY ts) AS c FROM per_instant),
flags AS (SELECT *, c > {limit} AS over,
                 lag(c > {limit}, 1, false) OVER (PARTITION BY store_id ORDER BY ts) AS was_over FROM counts)
SELECT count(*) FROM flags WHERE over AND NOT was_over"""


def table_sql(folder: Path, name: str) -> str:
    """The table `name` of the export as a DuckDB table expression, every column as text:
    NAME.csv, NAME.parquet or NAME.jsonl (whichever is there)."""
    for ext in (".csv", ".parquet", ".jsonl"):
        path = folder / f"{name}{ext}"
        if path.exists():
            break
    else:
        raise FileNotFoundError(folder / f"{name}.csv")
    if ext == ".csv":
        return f"read_csv('{path}', all_varchar = true, header = true)"
    if ext == ".parquet":
        return f"read_parquet('{path}')"
    import json
    with open(path, encoding="utf-8") as f:
        columns = list(json.loads(f.readline()))
    types = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    return f"read_ndjson('{path}', columns = {{{types}}})"


def run(folder: str, as_of_iso: str, memory_limit: str | None = None) -> dict[str, int]:
    """Findings per rule; `memory_limit` (e.g. "8GB"): DuckDB's, for a shared machine (its
    default is 80 % of the RAM)."""
    folder = Path(folder)
    con = duckdb.connect(config={"memory_limit": memory_limit} if memory_limit else {})
    as_of = con.execute(f"SELECT epoch_ms(TIMESTAMPTZ '{as_of_iso}')").fetchone()[0]
    names = {"bindings_t": table_sql(folder, "bindings"), "stores_t": table_sql(folder, "stores"),
             "accounts_t": table_sql(folder, "accounts"), "lives_t": table_sql(folder, "live_sessions"),
             "as_of": as_of}
    con.execute(SQL.format(**names))
    counts = {code: con.execute(sql.format(**names)).fetchone()[0] for code, sql in RULES.items()}
    counts["BIND002"] = con.execute(CROWDING.format(t="official", limit=1)).fetchone()[0]
    counts["BIND003"] = con.execute(CROWDING.format(t="marketing", limit=4)).fetchone()[0]
    return {k: v for k, v in sorted(counts.items()) if v}


if __name__ == "__main__":  # a whole process for bench/bench_formats.py: EXPORT AS_OF [MEMORY_LIMIT] -> counts
    import json
    import sys
    print(json.dumps(run(sys.argv[1], sys.argv[2], *sys.argv[3:4])))
