"""Crowding: more bindings of one account type in force in a store at once than a limit.
The sweep shared by the too-many-official and too-many-marketing rules; each rule's module calls it."""
from __future__ import annotations

import numpy as np

from lint.core.findings import CheckResult, Finding
from lint.core.headroom import Limit
from lint.core.intervals import crowded_periods, group_codes, overlap_join
from lint.core.model import NO_TIME


def slots(ctx, rule: str, account_type: str, limit: int, item: str) -> list[Limit]:
    """Each store's bindings of `account_type` in force at --as-of against the limit; when
    the store is full, the next instant a binding in force is recorded to end frees a slot."""
    now = ctx.bound_now
    now = now[now["account_type"] == account_type]
    used = now.groupby("store_id").size().to_dict() if len(now) else {}
    ends = now[now["end"] != NO_TIME].groupby("store_id")["end"].min().to_dict() if len(now) else {}
    out = []
    for store in ctx.store_ids:
        n = int(used.get(store, 0))
        free = ends.get(store) if n >= limit else None
        out.append(Limit(rule, item, store, n, int(limit), next_free=None if free is None else int(free)))
    return out


def crowding(ctx, rule: str, account_type: str, limit: int, limit_name: str) -> CheckResult:
    """Each period in which more bindings of `account_type` are in force in a store than `limit`."""
    b = ctx.bindings
    b = b[b["account_type"] == account_type].reset_index(drop=True)
    (g,) = group_codes(b["store_id"])
    start, until = b["start"].to_numpy(), b["until"].to_numpy()
    pg, ps, pe, peak = crowded_periods(g, start, until, limit)
    if len(pg) == 0:
        return CheckResult([])
    # Subjects: every binding in force at some time in the period.
    pi, bj = overlap_join(pg, ps, pe, g, start, until)
    order = np.lexsort((start[bj], pi))
    pi, bj = pi[order], bj[order]
    bounds = np.searchsorted(pi, np.arange(len(pg) + 1))
    stores, bind_ids, accounts = (_objects_at(b[c], bj) for c in ("store_id", "bind_id", "account_id"))
    findings = []
    for k in range(len(pg)):
        members = bj[bounds[k]:bounds[k + 1]]
        store = stores[members[0]]
        # The binding that pushed the count over the limit identifies the violation: later
        # rows cannot change it, while the subject list grows as bindings join the period.
        opener = members[start[members] == ps[k]]
        findings.append(Finding(
            rule=rule, store_id=store,
            accounts=sorted(set(accounts[members].tolist())),
            subjects=sorted(bind_ids[members].tolist()),
            start=int(ps[k]), end=int(pe[k]),
            evidence={"peak_bound_at_once": int(peak[k]), limit_name: limit},
            fields={"store": store, "peak": int(peak[k])},
            identity=tuple(sorted(bind_ids[opener].tolist())),
        ))
    return CheckResult(findings)


def _objects_at(column, rows: np.ndarray) -> np.ndarray:
    """column.to_numpy() where `rows` are looked at (the same values there): only the rows
    in a crowded period become Python objects, not the whole table's."""
    out = np.empty(len(column), dtype=object)
    if len(rows):
        at = np.unique(rows)
        out[at] = column.take(at).to_numpy()
    return out
