"""The engine-neutral per-partition contract: some stores' canonical tables in, a findings
table with a fixed schema out. Dask (lint.engines.dask.cluster) runs it through `map_partitions`;
a Spark adapter would run it through `applyInPandas`; the in-process engine (lint.engines.local)
is the same computation on one partition holding every store.

The contract
------------
`lint_partition(tables, codes, params, as_of)` builds a sub-Export from `tables`
({"stores", "accounts", "bindings", "lives", "videos"} -> canonical frame, or None when the
export has no such table), runs the checks of lint.checks.REGISTRY on a lint.checks.context
Context over it (the very functions lint.engines.local.run calls: no rule logic here) and returns
one row per finding, plus one row per rule that could not judge some items
(`kind == "not_checked"`, `count` items), in the fixed schema FINDINGS_SCHEMA:

    kind      str    "finding" | "not_checked"
    rule      str    rule code
    store_id  str    (not_checked rows: "")
    accounts  str    JSON list
    subjects  str    JSON list
    start     int64  window, UTC ms
    end       int64
    evidence  str    JSON object, keys in the check's order
    fields    str    JSON object (the message template's values)
    identity  str    JSON list, or "null" when the finding has none (fingerprint = subjects)
    count     int64  not_checked rows: items not judged; findings: 0

`frame_to_findings` turns such rows (from any number of partitions) back into
lint.core.findings.Finding objects equal to the in-process ones; JSON keeps every value a report
shows (str, int, float to the last bit, bool, None, lists, objects in key order). Name and
severity come from the policy pack and are set by the driver, as lint.engines.local.run does.

Which rows a partition gets
---------------------------
A rule declares how it partitions (lint.checks.Partition, on its @check). Most rules are
*store-local* (Partition.STORE): their findings for store S depend only on S's bindings,
S's row of `stores`, the `accounts` rows of accounts bound to S, and the LIVE sessions and
videos of accounts bound to S (a LIVE or a video gets its role through the bindings in force
at its start; only S's bindings give a role for S). So the **store pass** keys

    bindings            by store_id
    stores              by store_id (stores with no binding are dropped: no rule reads them)
    accounts, lives,    by every store the account has a binding in ("explode" through the
    videos              (account_id -> store_id) pairs of `bindings`, see account_stores);
                        rows of accounts with no binding are dropped: they have no role

and a partition is the rows of a set of stores (one store, or many hashed together). A row
exploded to two stores that land in the same partition must appear there once:
`partition_tables` drops the duplicates (by the row's position in the export, POS) and puts
the rows back in export order, so each partition table is exactly the in-process table
filtered to the partition's rows. That makes each store-local check's output for those
stores identical to the in-process output restricted to them; "not checked" counts are per
row, so the partitions' counts add up to the in-process count.

A rule that pairs one account's bindings in *any* stores (the dual-role rule) declares
Partition.ACCOUNT: a store pass would miss every cross-store pair, so it runs only in the
**account pass**: `bindings` keyed by account_id, every binding in exactly one partition
(that of its account), and the rule sees all bindings of each account it is given. Hence no
finding is lost (every pair lies within one account partition) and none is doubled (each
binding, so each pair, lies in exactly one partition; the rule never runs in the store pass).
"""
from __future__ import annotations

import json
from typing import Iterator

import numpy as np
import pandas as pd

from lint.checks import Partition, load_all
from lint.checks.context import Context
from lint.core.findings import Finding
from lint.core.model import Export
from lint.core.result import Result
from lint.engines.local import result_of
from lint.engines.plan import Plan, make_plan

# The tables of a partition (Export attribute names).
TABLES = ("stores", "accounts", "bindings", "lives", "videos")

# Helper columns of the keyed tables (dropped before the checks see the tables).
KEY = "_sl_key"      # the partition key: store_id (store pass) or account_id (account pass)
POS = "_sl_pos"      # the row's position in the export's table
HASH = "_sl_hash"    # key_hash(KEY): what a cluster shuffles on (lint.engines.dask.cluster)
HELPER_COLUMNS = (KEY, POS, HASH)

FINDINGS_SCHEMA: dict[str, str] = {
    "kind": "str", "rule": "str", "store_id": "str", "accounts": "str", "subjects": "str",
    "start": "int64", "end": "int64", "evidence": "str", "fields": "str", "identity": "str",
    "count": "int64",
}


def empty_findings() -> pd.DataFrame:
    """A findings table with no rows: the `meta` of map_partitions."""
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in FINDINGS_SCHEMA.items()})


# --- the contract ---------------------------------------------------------------------------

def lint_partition(tables: dict[str, pd.DataFrame | None], codes: list[str], params: dict[str, dict],
                   as_of: int) -> pd.DataFrame:
    """Run the checks `codes` (with their resolved `params`) on the canonical tables of a set of
    stores (store pass) or accounts (account pass); -> findings table (FINDINGS_SCHEMA).

    `tables` maps Export attribute names (see TABLES; "live_sessions" is accepted for "lives")
    to canonical frames; a missing or None entry is a table the export does not have. The
    caller chooses `codes` whose tables the export has, as lint.engines.local.run does.
    """
    registry = load_all()
    tables = {("lives" if k == "live_sessions" else k): v for k, v in tables.items()}
    export = Export(**{t: tables.get(t) for t in TABLES})
    ctx = Context(export, as_of)
    rows: list[tuple] = []
    for code in codes:
        result = registry[code].fn(ctx, params[code])
        rows.extend(_finding_row(f) for f in result.findings)
        if result.not_checked:
            rows.append(("not_checked", code, "", "[]", "[]", 0, 0, "{}", "{}", "null", int(result.not_checked)))
    return findings_frame(rows)


def findings_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of FINDINGS_SCHEMA values -> a findings table with that schema."""
    if not rows:
        return empty_findings()
    columns = list(zip(*rows))
    return pd.DataFrame({c: pd.Series(list(v), dtype=t) for (c, t), v in zip(FINDINGS_SCHEMA.items(), columns)})


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value):
    """numpy scalars (np.int64 and friends) as the Python values the report would show."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"finding value {value!r} of type {type(value).__name__} is not JSON data")


def _finding_row(f: Finding) -> tuple:
    return ("finding", f.rule, f.store_id, _json(list(f.accounts)), _json(list(f.subjects)), int(f.start),
            int(f.end), _json(f.evidence), _json(f.fields), _json(None if f.identity is None else list(f.identity)),
            0)


def frame_to_findings(frame: pd.DataFrame) -> tuple[list[Finding], dict[str, int]]:
    """Findings tables (concatenated from any partitions) -> (Findings, not_checked per rule).
    Findings come back in the frame's order; `name` and `severity` are left for the driver."""
    findings: list[Finding] = []
    not_checked: dict[str, int] = {}
    if frame.empty:
        return findings, not_checked
    cols = {c: frame[c].to_numpy(dtype=object) for c in FINDINGS_SCHEMA}
    loads = json.loads
    for k in range(len(frame)):
        rule = cols["rule"][k]
        if cols["kind"][k] == "not_checked":
            not_checked[rule] = not_checked.get(rule, 0) + int(cols["count"][k])
            continue
        identity = loads(cols["identity"][k])
        findings.append(Finding(
            rule=rule, store_id=cols["store_id"][k], accounts=loads(cols["accounts"][k]),
            subjects=loads(cols["subjects"][k]), start=int(cols["start"][k]), end=int(cols["end"][k]),
            evidence=loads(cols["evidence"][k]), fields=loads(cols["fields"][k]),
            identity=None if identity is None else tuple(identity)))
    return findings, not_checked


# --- splitting an export by store and by account ----------------------------------------------

def key_hash(values) -> np.ndarray:
    """A stable int64 hash of key values (store or account ids): the same in every process
    and on every machine, so that the rows of one key meet in one partition."""
    return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False).view(np.int64)


def account_stores(bindings: pd.DataFrame) -> pd.DataFrame:
    """The (account_id, store_id) pairs of the bindings, once each: where an account's rows go."""
    return bindings[["account_id", "store_id"]].drop_duplicates().reset_index(drop=True)


def with_position(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with POS, its rows' positions in the export (to dedupe and restore order)."""
    return frame.assign(**{POS: np.arange(len(frame), dtype=np.int64)})


def explode_by_store(frame: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per (row, store its account is bound to), with KEY = that store's id; rows of
    accounts with no binding are dropped. `frame` has account_id (and POS)."""
    keyed = frame.merge(pairs.rename(columns={"store_id": KEY}), on="account_id", how="inner", sort=False)
    return keyed


def keyed_store_tables(export: Export) -> dict[str, pd.DataFrame | None]:
    """The store pass's tables, each with KEY (the store id) and POS (pandas reference form;
    lint.engines.dask.cluster builds the same with dask)."""
    b = export.bindings
    pairs = account_stores(b)
    out: dict[str, pd.DataFrame | None] = {"bindings": with_position(b).assign(**{KEY: b["store_id"].to_numpy()})}
    if export.stores is not None:
        s = with_position(export.stores)
        s = s[s["store_id"].isin(pairs["store_id"])]
        out["stores"] = s.assign(**{KEY: s["store_id"].to_numpy()})
    else:
        out["stores"] = None
    for name in ("accounts", "lives", "videos"):
        frame = getattr(export, name)
        out[name] = None if frame is None else explode_by_store(with_position(frame), pairs)
    return out


def keyed_account_tables(export: Export) -> dict[str, pd.DataFrame | None]:
    """The account pass's tables: the bindings, KEY = account_id."""
    b = export.bindings
    return {"bindings": with_position(b).assign(**{KEY: b["account_id"].to_numpy()})}


def partition_tables(keyed: dict[str, pd.DataFrame | None]) -> dict[str, pd.DataFrame | None]:
    """A partition's keyed tables -> the canonical tables lint_partition takes: each row once
    (a row exploded to two stores of the partition is one row), in export order, without
    the helper columns."""
    out = {}
    for name, frame in keyed.items():
        if frame is None:
            out[name] = None
            continue
        frame = frame.drop_duplicates(subset=[POS]).sort_values(POS, kind="stable")
        out[name] = frame.drop(columns=[c for c in HELPER_COLUMNS if c in frame.columns]).reset_index(drop=True)
    return out


def split(keyed: dict[str, pd.DataFrame | None], buckets: int | None = None
          ) -> Iterator[tuple[object, dict[str, pd.DataFrame | None]]]:
    """Group keyed tables into partitions: one per key of the bindings (buckets=None), or
    `buckets` partitions of keys hashed together (key_hash(key) % buckets), as a cluster
    does. -> (partition label, its canonical tables), partitions without bindings left out.
    The in-process reference that tests compare the engines with."""
    def label(frame):
        return frame[KEY] if buckets is None else pd.Series(key_hash(frame[KEY]) % buckets, index=frame.index)
    groups = {name: (dict(tuple(f.groupby(label(f), sort=False))) if f is not None else None)
              for name, f in keyed.items()}
    for part_label in label(keyed["bindings"]).drop_duplicates().tolist():
        part = {}
        for name, g in groups.items():
            part[name] = None if g is None else g.get(part_label, keyed[name].iloc[:0])
        yield part_label, partition_tables(part)


# --- the driver's side: the Result ---------------------------------------------------------------

def assemble(export: Export, policy, plan: Plan, frames: list[pd.DataFrame], as_of: int, timezone: str,
             problems) -> Result:
    """Findings tables of every partition of every pass -> the Result lint.engines.local.run
    returns for the same input: findings rebuilt, named, given their severity and sorted as
    the engine sorts them (rules in run order, then Finding.sort_key)."""
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else empty_findings()
    findings, counts = frame_to_findings(frame)
    order = {c: k for k, c in enumerate(plan.runnable)}
    # the engine extends findings rule by rule, then sorts stably by sort_key; within one rule
    # a sort_key is unique in practice, and the full tuple below settles any tie the same way
    findings.sort(key=lambda f: (order[f.rule], f.sort_key(), f.fingerprint, _json(f.evidence)))
    for f in findings:
        f.name = policy.rules[f.rule].name
        f.severity = plan.severities[f.rule]
    findings.sort(key=Finding.sort_key)
    not_checked = {c: counts[c] for c in plan.runnable if counts.get(c)}
    return result_of(export, policy, plan, findings, not_checked, as_of, timezone, problems)


def run_split(export: Export, policy, codes: list[str], as_of: int, timezone: str, problems,
              params: dict[str, dict] | None = None, severities: dict[str, str] | None = None,
              buckets: int | None = None) -> Result:
    """The two passes in-process, one store (one account) per partition, or `buckets`
    partitions per pass: the reference the distributed engines must equal, and what a test of
    the contract runs without a cluster."""
    plan = make_plan(export, policy, codes, params, severities)
    store_codes, account_codes = plan.by_partition(Partition.STORE), plan.by_partition(Partition.ACCOUNT)
    frames = []
    if plan.runnable and export.bindings is not None:
        if store_codes:
            frames += [lint_partition(t, store_codes, plan.params, as_of)
                       for _, t in split(keyed_store_tables(export), buckets)]
        if account_codes:
            frames += [lint_partition(t, account_codes, plan.params, as_of)
                       for _, t in split(keyed_account_tables(export), buckets)]
    return assemble(export, policy, plan, frames, as_of, timezone, problems)
