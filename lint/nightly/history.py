"""History: every run and its findings, kept in a database, so reports can say what is new,
what has been open for how long, what got fixed, and how each store is trending.

`--history DB` is an embedded SQLite file (nothing to set up), or a database URL
(`postgresql://user@host/db`) for a history shared by several job runners (psycopg 3, the
`history-pg` extra).

What is kept (schema below, version in the table `shoplint_meta`):

- `runs`: one row per (scope, as-of): the export name, the options that change results,
  the rules run, the stores the run saw, and its counts per store and rule;
- `occurrences`: each finding of each run, by fingerprint;
- `findings`: per (scope, fingerprint) its first seen, last seen, open since and resolved
  at: advanced by each run later than every other one (the nightly case), derived again
  from `runs` and `occurrences` when a run is rerun or written late (so it is never left
  inconsistent). Reports are made from it and the last 29 runs' counts.

The scope is the export's name (the folder's or zip's name, or `export_name=`): runs of one
scope are compared with each other only. A run *covers* a finding when it ran the finding's
rule (so `--select`, rules "not run" for a missing table, and ignored rules cover nothing)
and saw the finding's store (in the stores table or in a finding; an export without a
stores table is taken to hold every store). A finding is resolved by
the first later run of its scope that covers it and does not find it; a run that does not
cover it leaves it as it was.

Safety: the pipeline only reads (`read_history`); the run is written by
`HistoryOutcome.commit()`, which a front end calls after its reports were delivered (the
command line: after the report files and the emails), in one
transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock), so
two writers queue and a failed or killed run writes nothing. A rerun of the same scope and
as-of replaces that run. A history written by a newer schema is refused, never altered.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DAY_MS = 86_400_000
TREND_RUNS = 30
SCHEMA_VERSION = 1
_PG_LOCK = 0x5_4_0_1_1_5_7  # pg_advisory_xact_lock key: one writer at a time

# Each migration takes the schema from version k-1 to k; never edit one that shipped, add one.
MIGRATIONS: list[list[str]] = [
    [  # 1: runs, occurrences, findings
        "CREATE TABLE runs (scope TEXT NOT NULL, as_of BIGINT NOT NULL, export TEXT NOT NULL, "
        "recorded_at BIGINT NOT NULL, tool_version TEXT NOT NULL, policy_version TEXT NOT NULL, "
        "options TEXT NOT NULL, rules_run TEXT NOT NULL, stores TEXT NOT NULL, findings INTEGER NOT NULL, "
        "failing INTEGER NOT NULL, input_errors INTEGER NOT NULL, counts TEXT NOT NULL, "
        "PRIMARY KEY (scope, as_of))",
        "CREATE TABLE occurrences (scope TEXT NOT NULL, as_of BIGINT NOT NULL, fingerprint TEXT NOT NULL, "
        "rule TEXT NOT NULL, store_id TEXT NOT NULL, severity TEXT NOT NULL, subjects TEXT NOT NULL, "
        "PRIMARY KEY (scope, as_of, fingerprint))",
        "CREATE INDEX occurrences_by_fingerprint ON occurrences (scope, fingerprint)",
        "CREATE TABLE findings (scope TEXT NOT NULL, fingerprint TEXT NOT NULL, rule TEXT NOT NULL, "
        "store_id TEXT NOT NULL, subjects TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, "
        "open_since BIGINT NOT NULL, resolved_at BIGINT, PRIMARY KEY (scope, fingerprint))",
    ],
]


class HistoryError(Exception):
    """The history cannot be used (unreachable, newer schema, not a history); the message says why."""


def redact(location: str) -> str:
    """A URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", str(location))


def is_url(location: str) -> bool:
    """A database URL (PostgreSQL), not an SQLite file."""
    return bool(re.match(r"^(postgres|postgresql)://", str(location)))


# ---------------------------------------------------------------- connections


class _Db:
    """A connection with one parameter style ('?') and the dialect's write lock."""

    def __init__(self, location: str):
        self.location = str(location)
        self.pg = is_url(self.location)
        if self.pg:
            try:
                import psycopg
            except ImportError:
                raise HistoryError("a PostgreSQL history needs psycopg: pip install 'shoplint[history-pg]'") from None
            try:
                self.conn = psycopg.connect(self.location, autocommit=True, connect_timeout=15)
            except psycopg.Error as e:
                raise HistoryError(f"{redact(self.location)}: cannot connect ({str(e).strip()})") from None
        else:
            path = self.location[len("sqlite:///"):] if self.location.startswith("sqlite:///") else self.location
            self.path = Path(path)
            try:
                self.conn = sqlite3.connect(self.path, timeout=120, isolation_level=None)
                self.conn.execute("PRAGMA busy_timeout = 120000")
            except sqlite3.Error as e:
                raise HistoryError(f"{self.location}: cannot be opened ({e})") from None

    def execute(self, sql: str, params: Iterable = ()) -> list[tuple]:
        cur = self.conn.cursor()
        cur.execute(sql.replace("?", "%s") if self.pg else sql, tuple(params))
        rows = cur.fetchall() if cur.description else []
        cur.close()
        return rows

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            cur = self.conn.cursor()
            cur.executemany(sql.replace("?", "%s") if self.pg else sql, rows)
            cur.close()

    def begin_write(self) -> None:
        if self.pg:
            self.execute("BEGIN")
            self.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
        else:
            self.execute("BEGIN IMMEDIATE")

    def begin_read(self) -> None:
        self.execute("BEGIN" if self.pg else "BEGIN DEFERRED")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        try:
            self.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - nothing to roll back
            pass

    def close(self) -> None:
        self.conn.close()

    def errors(self) -> tuple[type, ...]:
        if self.pg:
            import psycopg
            return (psycopg.Error,)
        return (sqlite3.Error,)

    # schema

    def version(self) -> int:
        """0 for an empty database; HistoryError for a database that is not a history."""
        # one statement (one snapshot): another runner may be creating the schema right now
        if self.pg:
            has_meta, tables = self.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND "
                "tablename = 'shoplint_meta'), (SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                "current_schema() AND tablename IN ('runs', 'occurrences', 'findings'))")[0]
        else:
            has_meta, tables = self.execute(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type='table' AND name='shoplint_meta'), "
                "(SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('runs', 'occurrences', "
                "'findings'))")[0]
        if not has_meta:
            if tables:
                raise HistoryError(f"{redact(self.location)}: not a shoplint history (it has tables named runs, "
                                  "occurrences or findings of its own)")
            return 0
        rows = self.execute("SELECT value FROM shoplint_meta WHERE key = 'schema_version'")
        return int(rows[0][0]) if rows else 0

    def check_version(self) -> int:
        v = self.version()
        if v > SCHEMA_VERSION:
            raise HistoryError(f"{redact(self.location)}: written by a newer shoplint (history schema {v}; this "
                               f"one knows up to {SCHEMA_VERSION}). Upgrade shoplint to use it; it was not changed.")
        return v

    def migrate(self) -> None:
        """Inside a write transaction: bring the schema to SCHEMA_VERSION."""
        v = self.check_version()
        if v == SCHEMA_VERSION:
            return
        if v == 0:
            self.execute("CREATE TABLE shoplint_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self.execute("INSERT INTO shoplint_meta (key, value) VALUES ('schema_version', '0')")
        for k in range(v, SCHEMA_VERSION):
            for statement in MIGRATIONS[k]:
                self.execute(statement)
        self.execute("UPDATE shoplint_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))


def _open(location: str, must_exist: bool) -> _Db | None:
    if not is_url(location):
        path = Path(location[len("sqlite:///"):] if str(location).startswith("sqlite:///") else location)
        if not path.exists():
            if must_exist:
                raise HistoryError(f"{location}: no such history")
            return None
        if path.is_dir():
            raise HistoryError(f"{location}: is a folder, not a history file")
        try:
            with open(path, "rb") as fh:
                head = fh.read(16)
        except OSError as e:
            raise HistoryError(f"{location}: cannot be read ({e.strerror or e})") from None
        if head and head != b"SQLite format 3\x00":
            raise HistoryError(f"{location}: not a shoplint history (not an SQLite file)")
    return _Db(location)


# ---------------------------------------------------------------- what one run is


@dataclass(frozen=True)
class RunRow:
    scope: str
    as_of: int
    export: str
    options: dict
    rules_run: tuple[str, ...]
    stores: tuple[str, ...]
    findings: int
    failing: int
    input_errors: int
    counts: dict  # store -> rule -> n
    tool_version: str = ""
    policy_version: str = ""
    recorded_at: int = 0

    def covers(self, rule: str, store_id: str) -> bool:
        """Did this run check `rule` for `store_id`?"""
        return rule in self.rules_run and (store_id in self.stores or "*" in self.stores)

    def to_dict(self, zone: str = "UTC") -> dict:
        from lint.ingest.timestamps import format_instant
        return {"scope": self.scope, "as_of": format_instant(self.as_of, zone), "export": self.export,
                "findings": self.findings, "failing": self.failing, "input_errors": self.input_errors,
                "rules_run": list(self.rules_run), "counts": self.counts, "options": self.options,
                "tool_version": self.tool_version, "policy_version": self.policy_version}


@dataclass(frozen=True)
class Occurrence:
    fingerprint: str
    rule: str
    store_id: str
    severity: str
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class FindingHistory:
    """One finding of this run against the history."""
    status: str  # "new" | "existing" (as the baseline marks it)
    first_seen: int  # ms
    open_since: int  # ms: the first run of the streak of runs that found it, up to this one
    days_open: int

    def to_dict(self, zone: str) -> dict:
        from lint.ingest.timestamps import format_instant
        return {"status": self.status, "first_seen": format_instant(self.first_seen, zone),
                "open_since": format_instant(self.open_since, zone), "days_open": self.days_open}


@dataclass(frozen=True)
class HistoryOutcome:
    """The run against its history: marks per fingerprint, what it resolved, the trend, and
    the run to record (written by `commit()` once the reports are out)."""
    location: str
    scope: str
    runs_before: int
    previous_as_of: int | None
    marks: dict[str, FindingHistory]
    resolved_findings: list[dict]  # {fingerprint, rule, store_id, subjects, first_seen, last_seen} (ms)
    trend: list[dict]  # oldest first, this run last: {as_of: ms, counts: {store: {rule: n}}, rules_run}
    pending: RunRow
    pending_occurrences: tuple[Occurrence, ...] = field(default=(), repr=False)
    new_only: bool = False

    def counts(self) -> dict[str, int]:
        new = sum(1 for m in self.marks.values() if m.status == "new")
        return {"new": new, "existing": len(self.marks) - new, "resolved": len(self.resolved_findings),
                "runs": self.runs_before + 1}

    def resolved_in(self, store_id: str) -> list[dict]:
        return [r for r in self.resolved_findings if r["store_id"] == store_id]

    def to_dict(self, zone: str) -> dict:
        from lint.ingest.timestamps import format_instant
        return {"scope": self.scope, "runs": self.runs_before + 1,
                "previous_as_of": None if self.previous_as_of is None else format_instant(self.previous_as_of, zone),
                "resolved": [{**r, "first_seen": format_instant(r["first_seen"], zone),
                              "last_seen": format_instant(r["last_seen"], zone)} for r in self.resolved_findings],
                "trend": [{**t, "as_of": format_instant(t["as_of"], zone)} for t in self.trend]}

    def commit(self) -> None:
        """Write this run (replacing a run of the same scope and as-of) in one transaction."""
        write_run(self.location, self.pending, self.pending_occurrences)


# ---------------------------------------------------------------- reading


def _run_from_row(row) -> RunRow:
    (scope, as_of, export, recorded_at, tool_version, policy_version, options, rules_run, stores, findings,
     failing, input_errors, counts) = row
    return RunRow(scope=scope, as_of=int(as_of), export=export, options=json.loads(options),
                  rules_run=tuple(json.loads(rules_run)), stores=tuple(json.loads(stores)), findings=int(findings),
                  failing=int(failing), input_errors=int(input_errors), counts=json.loads(counts),
                  tool_version=tool_version, policy_version=policy_version, recorded_at=int(recorded_at))


_RUN_COLUMNS = ("scope, as_of, export, recorded_at, tool_version, policy_version, options, rules_run, stores, "
                "findings, failing, input_errors, counts")


def _load_scope(db: _Db, scope: str, before: int | None = None
                ) -> tuple[list[RunRow], dict[int, dict[str, Occurrence]]]:
    where, params = "scope = ?", [scope]
    if before is not None:
        where += " AND as_of < ?"
        params.append(before)
    runs = [_run_from_row(r) for r in db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE {where} ORDER BY as_of",
                                                 params)]
    occ: dict[int, dict[str, Occurrence]] = {r.as_of: {} for r in runs}
    for as_of, fp, rule, store, severity, subjects in db.execute(
            f"SELECT as_of, fingerprint, rule, store_id, severity, subjects FROM occurrences WHERE {where}", params):
        occ.setdefault(int(as_of), {})[fp] = Occurrence(fp, rule, store, severity, tuple(json.loads(subjects)))
    return runs, occ


def _read_transaction(location: str, must_exist: bool, fn):
    db = _open(location, must_exist)
    if db is None:
        return fn(None)
    try:
        v = db.check_version()
        if v < SCHEMA_VERSION:
            # an older (or empty) history: read it through the migrated schema, then roll back
            db.begin_write()
            try:
                db.migrate()
                return fn(db)
            finally:
                db.rollback()
        db.begin_read()
        try:
            return fn(db)
        finally:
            db.rollback()
    except db.errors() as e:
        raise HistoryError(f"{redact(location)}: {str(e).strip()}") from None
    finally:
        db.close()


def pending_run(result, scope: str, options, fail_on: str = "error") -> tuple[RunRow, tuple[Occurrence, ...]]:
    """The run row and occurrences `result` would write."""
    from lint import __version__
    counts: dict[str, dict[str, int]] = {}
    for f in result.findings:
        by_rule = counts.setdefault(f.store_id, {})
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    listed = set(result.store_zones) | set(result.store_names) | set(result.store_emails)
    # without a stores table, the run saw every store of its export ("*")
    stores = sorted(listed | {f.store_id for f in result.findings}) if listed else ["*"]
    # the options that change which findings a run has (and so what it can resolve)
    changing = {"select": list(options.select), "ignore": list(options.ignore), "timezone": options.timezone,
                "strict": options.strict, "params": {k: dict(v) for k, v in sorted(result.params.items())
                                                     if k in result.rules_run},
                "severities": dict(sorted(options.severities.items())), "account_id": options.account_id,
                "fetch_covers": options.fetch_covers}
    import time
    row = RunRow(scope=scope, as_of=result.as_of, export=result.export_name, options=changing,
                 rules_run=tuple(result.rules_run), stores=tuple(stores), findings=len(result.findings),
                 failing=len(result.failing(fail_on)), input_errors=len(result.input_errors),
                 counts={s: dict(sorted(c.items())) for s, c in sorted(counts.items())},
                 tool_version=__version__, policy_version=str(result.policy.version),
                 recorded_at=int(time.time() * 1000))
    seen: dict[str, Occurrence] = {}
    for f in result.findings:
        seen.setdefault(f.fingerprint, Occurrence(f.fingerprint, f.rule, f.store_id, f.severity, tuple(f.subjects)))
    return row, tuple(seen.values())


def read_history(location: str, result, options, scope: str | None = None) -> HistoryOutcome:
    """Compare `result` with the earlier runs of its scope (runs before its as-of); mark each
    finding (`finding.history`); nothing is written. HistoryError when the history cannot be used."""
    scope = scope or result.export_name
    row, occurrences = pending_run(result, scope, options, options.fail_on)

    def compute(db):
        if db is None:
            return _compare(location, scope, row, occurrences, [], {}, options.new_only)
        latest = _latest(db, scope)
        if latest is None or latest < row.as_of:  # the nightly case: a run after every other one
            return _compare_with_state(db, location, scope, row, occurrences, options.new_only)
        # a rerun or a run written late: from every earlier run's findings
        runs, occ = _load_scope(db, scope, before=result.as_of)
        return _compare(location, scope, row, occurrences, runs, occ, options.new_only)

    outcome = _read_transaction(location, False, compute)
    zone = result.timezone
    for f in result.findings:
        f.history = outcome.marks[f.fingerprint].to_dict(result.zone_of(f.store_id) or zone)
    return outcome


def _compare(location, scope, row: RunRow, occurrences, runs: list[RunRow], occ, new_only) -> HistoryOutcome:
    newest_first = list(reversed(runs))
    first_seen: dict[str, int] = {}
    for r in runs:
        for fp in occ.get(r.as_of, {}):
            first_seen.setdefault(fp, r.as_of)
    marks = {}
    for o in occurrences:
        since = row.as_of
        for r in newest_first:
            if not r.covers(o.rule, o.store_id):
                continue
            if o.fingerprint not in occ.get(r.as_of, {}):
                break
            since = r.as_of
        marks[o.fingerprint] = FindingHistory(status="new" if since == row.as_of else "existing",
                                              first_seen=min(first_seen.get(o.fingerprint, row.as_of), row.as_of),
                                              open_since=since, days_open=(row.as_of - since) // DAY_MS)
    # open before this run: its last covering run found it; resolved now if this run covers it and did not
    resolved = []
    now = {o.fingerprint for o in occurrences}
    last_seen: dict[str, int] = {}
    all_fps = {fp for r in runs for fp in occ.get(r.as_of, {})}
    for fp in sorted(all_fps - now):
        info = None
        state = False
        for r in runs:
            o = occ.get(r.as_of, {}).get(fp)
            if o is not None:
                info, state, last_seen[fp] = o, True, r.as_of
            elif info is not None and r.covers(info.rule, info.store_id):
                state = False
        if state and info is not None and row.covers(info.rule, info.store_id):
            resolved.append({"fingerprint": fp, "rule": info.rule, "store_id": info.store_id,
                             "subjects": list(info.subjects), "first_seen": first_seen[fp], "last_seen": last_seen[fp]})
    resolved.sort(key=lambda r: (r["store_id"], r["rule"], r["subjects"], r["fingerprint"]))
    trend = [{"as_of": r.as_of, "counts": r.counts, "rules_run": list(r.rules_run)} for r in runs[-(TREND_RUNS - 1):]]
    trend.append({"as_of": row.as_of, "counts": row.counts, "rules_run": list(row.rules_run)})
    return HistoryOutcome(location=str(location), scope=scope, runs_before=len(runs),
                          previous_as_of=runs[-1].as_of if runs else None, marks=marks, resolved_findings=resolved,
                          trend=trend, pending=row, pending_occurrences=tuple(occurrences), new_only=new_only)


def _latest(db: _Db, scope: str) -> int | None:
    value = db.execute("SELECT max(as_of) FROM runs WHERE scope = ?", (scope,))[0][0]
    return None if value is None else int(value)


_STATE_COLUMNS = "fingerprint, rule, store_id, subjects, first_seen, last_seen, open_since, resolved_at"


def _states(db: _Db, scope: str) -> dict[str, dict]:
    keys = ("fingerprint", "rule", "store_id", "subjects", "first_seen", "last_seen", "open_since", "resolved_at")
    return {r[0]: dict(zip(keys, r)) for r in db.execute(f"SELECT {_STATE_COLUMNS} FROM findings WHERE scope = ?",
                                                          (scope,))}


def _compare_with_state(db: _Db, location, scope, row: RunRow, occurrences, new_only) -> HistoryOutcome:
    """As _compare, for a run later than every run of its scope: from the findings table (the
    state after the latest run) and the last runs' counts, without reading every occurrence."""
    states = _states(db, scope)
    marks = {}
    for o in occurrences:
        st = states.get(o.fingerprint)
        open_before = st is not None and st["resolved_at"] is None
        since = int(st["open_since"]) if open_before else row.as_of
        marks[o.fingerprint] = FindingHistory(status="existing" if open_before else "new",
                                              first_seen=int(st["first_seen"]) if st else row.as_of,
                                              open_since=since, days_open=(row.as_of - since) // DAY_MS)
    now = {o.fingerprint for o in occurrences}
    resolved = [{"fingerprint": fp, "rule": st["rule"], "store_id": st["store_id"],
                 "subjects": json.loads(st["subjects"]), "first_seen": int(st["first_seen"]),
                 "last_seen": int(st["last_seen"])}
                for fp, st in sorted(states.items())
                if st["resolved_at"] is None and fp not in now and row.covers(st["rule"], st["store_id"])]
    resolved.sort(key=lambda r: (r["store_id"], r["rule"], r["subjects"], r["fingerprint"]))
    last = [_run_from_row(r) for r in db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE scope = ? "
                                                 "ORDER BY as_of DESC LIMIT ?", (scope, TREND_RUNS - 1))]
    last.reverse()
    count = int(db.execute("SELECT count(*) FROM runs WHERE scope = ?", (scope,))[0][0])
    trend = [{"as_of": r.as_of, "counts": r.counts, "rules_run": list(r.rules_run)} for r in last]
    trend.append({"as_of": row.as_of, "counts": row.counts, "rules_run": list(row.rules_run)})
    return HistoryOutcome(location=str(location), scope=scope, runs_before=count,
                          previous_as_of=last[-1].as_of if last else None, marks=marks, resolved_findings=resolved,
                          trend=trend, pending=row, pending_occurrences=tuple(occurrences), new_only=new_only)


# ---------------------------------------------------------------- writing

# Tests replace it to stop a writer inside its transaction (a kill, two writers at once).
def _before_commit() -> None:
    pass


def write_run(location: str, row: RunRow, occurrences: Iterable[Occurrence]) -> None:
    """Record one run in one transaction; a rerun of the same scope and as-of replaces it."""
    db = _open(location, must_exist=False) or _Db(location)
    try:
        db.check_version()
        db.begin_write()
        try:
            db.migrate()
            latest = _latest(db, row.scope)
            db.execute("DELETE FROM occurrences WHERE scope = ? AND as_of = ?", (row.scope, row.as_of))
            db.execute("DELETE FROM runs WHERE scope = ? AND as_of = ?", (row.scope, row.as_of))
            db.execute(f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                       (row.scope, row.as_of, row.export, row.recorded_at, row.tool_version, row.policy_version,
                        _json(row.options), _json(list(row.rules_run)), _json(list(row.stores)), row.findings,
                        row.failing, row.input_errors, _json(row.counts)))
            db.executemany("INSERT INTO occurrences (scope, as_of, fingerprint, rule, store_id, severity, subjects) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(row.scope, row.as_of, o.fingerprint, o.rule, o.store_id, o.severity,
                             _json(list(o.subjects))) for o in occurrences])
            if latest is None or latest < row.as_of:  # the nightly case: update the state with this run
                _advance(db, row, occurrences)
            else:  # a rerun or a run written late: derive the scope's state again from every run
                _rederive(db, row.scope)
            _before_commit()
            db.commit()
        except BaseException:
            db.rollback()
            raise
    except db.errors() as e:
        raise HistoryError(f"{redact(location)}: the run was not recorded ({str(e).strip()})") from None
    finally:
        db.close()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _advance(db: _Db, row: RunRow, occurrences) -> None:
    """The findings table after `row`, a run later than every run of its scope (what
    _rederive would give, without reading every occurrence)."""
    states = _states(db, row.scope)
    insert, reopen, keep = [], [], []
    for o in occurrences:
        st = states.get(o.fingerprint)
        values = (o.rule, o.store_id, _json(list(o.subjects)))
        if st is None:
            insert.append((row.scope, o.fingerprint, *values, row.as_of, row.as_of, row.as_of, None))
        elif st["resolved_at"] is None:
            keep.append((*values, row.as_of, row.scope, o.fingerprint))
        else:
            reopen.append((*values, row.as_of, row.as_of, row.scope, o.fingerprint))
    now = {o.fingerprint for o in occurrences}
    resolve = [(row.as_of, row.scope, fp) for fp, st in states.items()
               if st["resolved_at"] is None and fp not in now and row.covers(st["rule"], st["store_id"])]
    db.executemany("INSERT INTO findings (scope, fingerprint, rule, store_id, subjects, first_seen, last_seen, "
                   "open_since, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", insert)
    db.executemany("UPDATE findings SET rule = ?, store_id = ?, subjects = ?, last_seen = ? "
                   "WHERE scope = ? AND fingerprint = ?", keep)
    db.executemany("UPDATE findings SET rule = ?, store_id = ?, subjects = ?, last_seen = ?, open_since = ?, "
                   "resolved_at = NULL WHERE scope = ? AND fingerprint = ?", reopen)
    db.executemany("UPDATE findings SET resolved_at = ? WHERE scope = ? AND fingerprint = ?", resolve)


def _rederive(db: _Db, scope: str) -> None:
    """The findings table of `scope`, from its runs and occurrences."""
    runs, occ = _load_scope(db, scope)
    state: dict[str, dict] = {}
    for r in runs:
        found = occ.get(r.as_of, {})
        for fp, o in found.items():
            s = state.get(fp)
            if s is None:
                state[fp] = {"o": o, "first": r.as_of, "last": r.as_of, "since": r.as_of, "resolved": None}
            else:
                if s["resolved"] is not None:
                    s["since"], s["resolved"] = r.as_of, None
                s["last"], s["o"] = r.as_of, o
        for fp, s in state.items():
            if fp not in found and s["resolved"] is None and r.covers(s["o"].rule, s["o"].store_id):
                s["resolved"] = r.as_of
    db.execute("DELETE FROM findings WHERE scope = ?", (scope,))
    db.executemany("INSERT INTO findings (scope, fingerprint, rule, store_id, subjects, first_seen, last_seen, "
                   "open_since, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(scope, fp, s["o"].rule, s["o"].store_id, _json(list(s["o"].subjects)), s["first"], s["last"],
                     s["since"], s["resolved"]) for fp, s in sorted(state.items())])


# ---------------------------------------------------------------- the history, read back


class History:
    """A history read back (`shoplint history`, and Python):

        from lint.nightly.history import History
        h = History("history.db")
        h.runs(store="S01")           # RunRow, oldest first
        h.finding("3f2a...")          # its life: first/last seen, resolved at, every run
    """

    def __init__(self, location: str | os.PathLike):
        self.location = str(location)
        _read_transaction(self.location, True, lambda db: None)  # exists, and a schema we know

    def _read(self, fn):
        return _read_transaction(self.location, True, fn)

    def scopes(self) -> list[str]:
        return [r[0] for r in self._read(lambda db: db.execute("SELECT DISTINCT scope FROM runs ORDER BY scope"))]

    def runs(self, scope: str | None = None, store: str | None = None, rule: str | None = None) -> list[RunRow]:
        """Runs oldest first; with `store`/`rule`, their counts keep only those."""
        def fn(db):
            where, params = ("WHERE scope = ?", [scope]) if scope else ("", [])
            return [_run_from_row(r) for r in db.execute(f"SELECT {_RUN_COLUMNS} FROM runs {where} "
                                                         "ORDER BY as_of, scope", params)]
        out = []
        for r in self._read(fn):
            if store is not None and store not in r.stores:
                continue
            counts = {s: {k: n for k, n in c.items() if rule is None or k == rule}
                      for s, c in r.counts.items() if store is None or s == store}
            counts = {s: c for s, c in counts.items() if c}
            out.append(RunRow(**{**r.__dict__, "counts": counts}))
        return out

    def findings(self, scope: str | None = None, store: str | None = None, rule: str | None = None) -> list[dict]:
        """Each finding's life: scope, fingerprint, rule, store_id, subjects, first_seen,
        last_seen, open_since, resolved_at (ms; resolved_at None while open)."""
        def fn(db):
            clauses, params = [], []
            for column, value in (("scope", scope), ("store_id", store), ("rule", rule)):
                if value is not None:
                    clauses.append(f"{column} = ?")
                    params.append(value)
            where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
            return db.execute("SELECT scope, fingerprint, rule, store_id, subjects, first_seen, last_seen, open_since, "
                              f"resolved_at FROM findings {where} ORDER BY scope, store_id, rule, first_seen, "
                              "fingerprint", params)
        keys = ("scope", "fingerprint", "rule", "store_id", "subjects", "first_seen", "last_seen", "open_since",
                "resolved_at")
        return [{**dict(zip(keys, r)), "subjects": json.loads(r[4])} for r in self._read(fn)]

    def finding(self, fingerprint: str) -> list[dict]:
        """The life of one finding in each scope that has it: its row of `findings` plus
        `runs`: each run of the scope that covered it, with `found` True or False."""
        out = []
        for life in (f for f in self.findings() if f["fingerprint"] == fingerprint):
            def fn(db, scope=life["scope"]):
                return _load_scope(db, scope)
            runs, occ = self._read(fn)
            life["runs"] = [{"as_of": r.as_of, "found": fingerprint in occ.get(r.as_of, {})} for r in runs
                            if r.covers(life["rule"], life["store_id"])]
            out.append(life)
        return out
