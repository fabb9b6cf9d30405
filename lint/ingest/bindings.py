"""Binding events or intervals -> one row per binding, vectorised.

Events are read per (store, account, type) in time order: `bind` opens a binding, the next
`unbind` closes it. Events at the same instant are taken in the order that is valid from the
state before them (an account re-bound at the instant it was unbound: unbind, then bind;
bound and unbound at one instant: bind, then unbind), otherwise in file order. An `unbind`
with nothing open, or a `bind` while one is open, is an input error for that row and is
ignored (the first binding keeps its start).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lint.core.model import NO_TIME, Problems

BINDING_COLUMNS = ["bind_id", "unbind_id", "store_id", "account_id", "account_type",
                   "start", "end", "bind_row", "unbind_row"]


def _key_codes(frame: pd.DataFrame, store_rank: list | None = None) -> np.ndarray:
    """One int64 per distinct (store, account, type), for grouping (equal keys, equal
    groups; the order of the keys is no order the output depends on). Column by column: a
    MultiIndex would build a Python tuple per row (2.5 s and ~200 MB at 1M rows).
    `store_rank`: a list that gets each row's store_id rank in sorted order."""
    codes = np.zeros(len(frame), dtype=np.int64)
    for column in ("store_id", "account_id", "account_type"):
        part, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        if column == "store_id" and store_rank is not None:
            store_rank.append(_sorted_rank(uniques)[np.asarray(part, dtype=np.int64)])
        # each factor is at most the row count and the type has 3 values, so the product of
        # the three stays far inside int64 (1M rows: < 4e12): no re-factorizing in between
        codes = codes * (len(uniques) + 1) + np.asarray(part, dtype=np.int64)
    return codes


def _sorted_rank(uniques) -> np.ndarray:
    """The rank of each distinct value in sorted order (Python str order is code-point order,
    as Arrow's byte order of UTF-8 is; a missing value last, as pandas sorts it)."""
    values = list(uniques)
    present = [i for i, v in enumerate(values) if isinstance(v, str)]
    ordered = sorted(present, key=values.__getitem__) + [i for i, v in enumerate(values) if not isinstance(v, str)]
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.asarray(ordered, dtype=np.int64)] = np.arange(len(values), dtype=np.int64)
    return rank


def _report_order(store_rank: np.ndarray, start: np.ndarray, bind_ids) -> np.ndarray:
    """The order of _typed's sort by (store_id, start, bind_id), stable, from the store ranks;
    bind_id (a Python string per row) only breaks ties of store and start (rare)."""
    order = _by_rank_then_time(store_rank, start)
    r, t = store_rank[order], start[order]
    tie = np.zeros(len(order), dtype=bool)
    tie[1:] = (r[1:] == r[:-1]) & (t[1:] == t[:-1])
    if not tie.any():
        return order
    run_start = np.flatnonzero(~tie)
    run_end = np.append(run_start[1:], len(order))
    for s, e in zip(run_start.tolist(), run_end.tolist()):
        if e - s > 1:
            members = order[s:e]
            ids = [bind_ids[int(i)] for i in members]
            order[s:e] = members[sorted(range(e - s), key=ids.__getitem__)]
    return order


def _by_rank_then_time(rank: np.ndarray, t: np.ndarray) -> np.ndarray:
    """np.lexsort((t, rank)): one stable argsort of rank * span + t when that fits in int64
    (ranks are store ranks and t instants of one export: it does), half lexsort's time."""
    if len(t) == 0:
        return np.lexsort((t, rank))
    lo_t, lo_r = int(t.min()), int(rank.min())
    span = int(t.max()) - lo_t + 1
    if (int(rank.max()) - lo_r + 1) * span >= 2 ** 62:
        return np.lexsort((t, rank))
    return np.argsort((rank - lo_r) * span + (t - lo_t), kind="stable")


def events_to_bindings(events: pd.DataFrame, display: str, problems: Problems) -> pd.DataFrame:
    """Validated bind/unbind events -> one row per binding (the canonical bindings table);
    pairing problems are added to `problems`."""
    if events.empty:
        return _empty()
    store_rank: list = []
    key = _key_codes(events, store_rank)
    store_rank = store_rank[0]
    at = events["at"].to_numpy()
    row = events["_row"].to_numpy()
    is_bind_all = (events["action"] == "bind").to_numpy(dtype=bool, na_value=False)
    order = _tie_aware_order(np.lexsort((row, at, key)), key, at, is_bind_all)
    key, at, row = key[order], at[order], row[order]
    is_bind = is_bind_all[order]

    # Whatever happened before, after a bind the binding is open and after an unbind it is
    # closed; so the state before each event is the previous event's action in its group.
    first_in_group = np.ones(len(key), dtype=bool)
    first_in_group[1:] = key[1:] != key[:-1]
    open_before = np.zeros(len(key), dtype=bool)
    open_before[1:] = is_bind[:-1]
    open_before &= ~first_in_group
    error = is_bind == open_before

    # Python strings only for the rows with a message (object arrays of 1M ids cost ~70 MB each)
    types = events["account_type"]
    event_ids = events["event_id"]
    for i in np.flatnonzero(error):
        t = types.iloc[order[i]]
        if is_bind[i]:
            msg = (f"'bind' while this account is already bound to this store as {t}; "
                   f"row ignored (the first binding keeps its start)")
        else:
            msg = f"'unbind' with no {t} binding of this account open in this store; row ignored"
        problems.add(display, row[i], "action", msg, value=event_ids.iloc[order[i]])

    ok = np.flatnonzero(~error)
    # Valid events alternate bind, unbind, bind, ... within a group.
    ok_key, ok_bind = key[ok], is_bind[ok]
    binds = np.flatnonzero(ok_bind)
    nxt = binds + 1
    has_unbind = nxt < len(ok)
    has_unbind[has_unbind] = ok_key[nxt[has_unbind]] == ok_key[binds[has_unbind]]
    b = ok[binds]
    u = np.where(has_unbind, ok[np.minimum(nxt, len(ok) - 1)], -1)

    # the bindings in the report's order (store_id, start, bind_id) before any column is taken
    event_ids = events["event_id"].array
    final = _report_order(store_rank[order[b]], at[b], _LazyIds(event_ids, order[b]))
    b, u, has_unbind = b[final], u[final], has_unbind[final]
    take_b = order[b]

    def column(name: str, positions: np.ndarray):
        return events[name].take(positions).reset_index(drop=True)
    unbind_id = column("event_id", order[np.where(has_unbind, u, 0)])
    out = pd.DataFrame({
        "bind_id": column("event_id", take_b),
        "unbind_id": unbind_id.where(pd.Series(has_unbind), None),
        "store_id": column("store_id", take_b),
        "account_id": column("account_id", take_b),
        "account_type": column("account_type", take_b),
        "start": at[b],
        "end": np.where(has_unbind, at[u], NO_TIME),
        "bind_row": row[b],
        "unbind_row": np.where(has_unbind, row[u], -1),
    })
    return _typed(out, sort=False)


class _LazyIds:
    """bind_ids[i] -> the event_id of the i-th bind, made a Python string only when asked."""

    def __init__(self, ids, positions: np.ndarray):
        self.ids, self.positions = ids, positions

    def __getitem__(self, i: int):
        return self.ids[int(self.positions[i])]


def _tie_aware_order(order: np.ndarray, key, at, is_bind) -> np.ndarray:
    """Reorder each run of events of one group at one instant that mixes binds and unbinds
    so that they alternate validly from the state before the run (rare: a Python loop over
    such runs only)."""
    k, t, b = key[order], at[order], is_bind[order]
    same_as_prev = np.zeros(len(order), dtype=bool)
    same_as_prev[1:] = (k[1:] == k[:-1]) & (t[1:] == t[:-1])
    run_start = np.flatnonzero(~same_as_prev)
    run_end = np.append(run_start[1:], len(order))
    binds_in_run = np.add.reduceat(b.astype(np.int64), run_start) if len(run_start) else run_start
    is_mixed = (binds_in_run > 0) & (binds_in_run < run_end - run_start)  # some binds, not all
    if not is_mixed.any():
        return order
    mixed = list(zip(run_start[is_mixed].tolist(), run_end[is_mixed].tolist()))
    order = order.copy()
    for s, e in mixed:
        # the state before the run: the last action before it in the same group (already fixed)
        open_before = s > 0 and k[s - 1] == k[s] and bool(is_bind[order[s - 1]])
        members = order[s:e]
        binds, unbinds = members[is_bind[members]], members[~is_bind[members]]
        first, second = (unbinds, binds) if open_before else (binds, unbinds)
        position = np.concatenate([2 * np.arange(len(first)), 2 * np.arange(len(second)) + 1])
        order[s:e] = np.concatenate([first, second])[np.argsort(position, kind="stable")]
    return order


def intervals_to_bindings(intervals: pd.DataFrame, display: str, problems: Problems) -> pd.DataFrame:
    """Interval rows are bindings already; a row overlapping an earlier binding of the same
    (store, account, type) is the interval form of a second `bind` while open: ignored."""
    if intervals.empty:
        return _empty()
    key = _key_codes(intervals)
    start = intervals["bound_at"].to_numpy()
    end = intervals["unbound_at"].to_numpy()
    row = intervals["_row"].to_numpy()
    order = np.lexsort((row, start, key))
    key_s, start_s = key[order], start[order]
    end_open = np.where(end == NO_TIME, np.iinfo(np.int64).max, end)[order]

    # Fast path: the running maximum of earlier ends in the group; only groups where it
    # flags something are walked one by one (a rejected row must not reject later ones).
    group_start = np.ones(len(key_s), dtype=bool)
    group_start[1:] = key_s[1:] != key_s[:-1]
    suspect = np.zeros(len(key_s), dtype=bool)
    prev_end = np.empty(len(key_s), dtype=np.int64)
    prev_end[0] = np.iinfo(np.int64).min
    prev_end[1:] = end_open[:-1]
    prev_end[group_start] = np.iinfo(np.int64).min
    # cummax within groups: offset each group so the running max does not leak across groups
    gid = np.cumsum(group_start) - 1
    running = pd.Series(prev_end).groupby(gid).cummax().to_numpy()
    suspect = start_s < running
    rejected = np.zeros(len(key_s), dtype=bool)
    for g in np.unique(gid[suspect]):
        members = np.flatnonzero(gid == g)
        latest_end = np.iinfo(np.int64).min
        for i in members:
            if start_s[i] < latest_end:
                rejected[i] = True
            else:
                latest_end = end_open[i]
    ids = intervals["binding_id"].to_numpy(dtype=object)[order]
    rows = row[order]
    types = intervals["account_type"].to_numpy(dtype=object)[order]
    for i in np.flatnonzero(rejected):
        problems.add(display, rows[i], "bound_at",
                     f"overlaps an earlier {types[i]} binding of this account in this store; row ignored",
                     value=ids[i])
    keep = order[~rejected]
    src = intervals.iloc[keep]
    has_unbind = src["unbound_at"].to_numpy() != NO_TIME
    bind_ids = src["binding_id"].to_numpy(dtype=object)
    out = pd.DataFrame({
        "bind_id": bind_ids,
        "unbind_id": pd.array(np.where(has_unbind, bind_ids.astype(object) + ":unbind", None), dtype="str"),
        "store_id": src["store_id"].to_numpy(),
        "account_id": src["account_id"].to_numpy(),
        "account_type": src["account_type"].to_numpy(),
        "start": src["bound_at"].to_numpy(),
        "end": src["unbound_at"].to_numpy(),
        "bind_row": src["_row"].to_numpy(),
        "unbind_row": np.where(has_unbind, src["_row"].to_numpy(), -1),
    })
    return _typed(out)


def _typed(out: pd.DataFrame, sort: bool = True) -> pd.DataFrame:
    for c in ("bind_id", "unbind_id", "store_id", "account_id", "account_type"):
        out[c] = out[c].astype("str")
    for c in ("start", "end", "bind_row", "unbind_row"):
        out[c] = out[c].astype(np.int64)
    if not sort:  # already in this order (events_to_bindings)
        return out
    return out.sort_values(["store_id", "start", "bind_id"], kind="stable").reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: [] for c in BINDING_COLUMNS}))
