"""A binding ledger shoplint keeps itself: snapshots of a shop's linked accounts
(`linked_accounts`: store_id, account_id, account_type, seen_at; shared/spec/schema.md)
-> one row per binding, as lint.ingest.bindings gives them.

Each distinct (store_id, seen_at) is one snapshot of every account linked to that store
then. An account in consecutive snapshots of its store was linked throughout. A run of
snapshots that show it, from the i-th to the j-th, is one binding [T_i, T_{j+1}): it was
linked at an unknown instant in (T_{i-1}, T_i] and unlinked at one in (T_j, T_{j+1}]; shown
in every snapshot up to the last, it is still linked. The binding's instants are those of
the snapshots that saw the change: every snapshot agrees with the ledger, and the rules are
exact about the ledger. The window of each event is kept (`ObservedWindows`) and reports
state it beside every finding the event is a subject of (lint.engines.local.result_of).

Ids: the binding of account A, type T, in store S, first seen at instant t is
`seen:S:A:T:<t as ISO 8601 UTC>`; its unbind is that id + `:unbind` (the interval form's
rule, schema.md). Where the bindings table covers a store, it wins: that store's snapshots
are not used (and a warning says so).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lint.core.model import NO_TIME, Problems
from lint.core.problems import ProblemLevel
from lint.ingest.bindings import intervals_to_bindings

# event id -> (after, by): the event happened at an unknown instant in (after, by]; after is
# NO_TIME when no earlier snapshot bounds it (an account in the store's first snapshot).
ObservedWindows = dict[str, tuple[int, int]]


def _iso_utc(ms: np.ndarray) -> np.ndarray:
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    text = np.char.replace(text.astype(str), ".000", "")
    return np.char.add(text, "Z")


def snapshots_to_bindings(snaps: pd.DataFrame, display: str, problems: Problems,
                          covered_stores: set[str] = frozenset()) -> tuple[pd.DataFrame, ObservedWindows]:
    """The bindings the snapshots show, and the observation window of each of their events."""
    if covered_stores:
        covered = snaps["store_id"].isin(covered_stores).to_numpy()
        if covered.any():
            names = sorted(set(snaps["store_id"][covered]))
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            problems.add(display, None, "store_id", f"the bindings table covers store{'s' if len(names) > 1 else ''} "
                         f"{shown}: {'their' if len(names) > 1 else 'its'} snapshots are not used",
                         level=ProblemLevel.WARNING)
            snaps = snaps.loc[~covered].reset_index(drop=True)
    if snaps.empty:
        return intervals_to_bindings(snaps.iloc[:0].assign(binding_id=pd.Series([], dtype="str"),
                                                             bound_at=np.zeros(0, np.int64),
                                                             unbound_at=np.zeros(0, np.int64)), display,
                                     problems), {}
    seen = snaps["seen_at"].to_numpy(dtype=np.int64)
    # The snapshots of each store, in time order: (store code, instant) distinct.
    store_code, store_names = pd.factorize(snaps["store_id"], sort=True)
    snap_keys = pd.DataFrame({"s": store_code, "t": seen}).drop_duplicates().sort_values(["s", "t"])
    snap_s, snap_t = snap_keys["s"].to_numpy(), snap_keys["t"].to_numpy()
    first_of_store = np.searchsorted(snap_s, np.arange(len(store_names)), side="left")
    # each row's snapshot number within its store: the dense rank of its instant there
    idx = (pd.Series(seen).groupby(store_code).rank(method="dense").to_numpy() - 1).astype(np.int64)
    # Runs of consecutive snapshots per (store, account, type).
    key = pd.DataFrame({"s": store_code, "a": pd.factorize(snaps["account_id"])[0],
                        "y": pd.factorize(snaps["account_type"])[0], "i": idx,
                        "r": snaps["_row"].to_numpy()})
    key = key.sort_values(["s", "a", "y", "i", "r"], kind="stable").drop_duplicates(["s", "a", "y", "i"])
    k_s, k_a, k_y, k_i = (key[c].to_numpy() for c in "sayi")
    same = np.zeros(len(key), dtype=bool)
    same[1:] = (k_s[1:] == k_s[:-1]) & (k_a[1:] == k_a[:-1]) & (k_y[1:] == k_y[:-1]) & (k_i[1:] == k_i[:-1] + 1)
    starts = np.flatnonzero(~same)
    ends = np.append(starts[1:], len(key)) - 1
    rows = key.index.to_numpy()[starts]  # a representative input row of each binding (its first)
    s_of = k_s[starts]
    n_snaps = np.diff(np.append(first_of_store, len(snap_t)))
    first_i, last_i = k_i[starts], k_i[ends]
    base = first_of_store[s_of]
    bound_at = snap_t[base + first_i]
    still = last_i + 1 >= n_snaps[s_of]
    unbound_at = np.where(still, NO_TIME, snap_t[np.minimum(base + last_i + 1, len(snap_t) - 1)])
    bind_after = np.where(first_i > 0, snap_t[np.maximum(base + first_i - 1, 0)], NO_TIME)
    unbind_after = snap_t[base + last_i]
    src = snaps.iloc[rows]
    ids = np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(
        "seen:", src["store_id"].to_numpy(dtype=str)), ":"), src["account_id"].to_numpy(dtype=str)), ":"),
        np.char.add(src["account_type"].to_numpy(dtype=str), ":")), _iso_utc(bound_at)).astype(object)
    intervals = pd.DataFrame({
        "binding_id": pd.array(ids, dtype="str"),
        "store_id": src["store_id"].to_numpy(), "account_id": src["account_id"].to_numpy(),
        "account_type": src["account_type"].to_numpy(),
        "bound_at": bound_at.astype(np.int64), "unbound_at": unbound_at.astype(np.int64),
        "_row": src["_row"].to_numpy(),
    })
    windows: ObservedWindows = {}
    for i, bind_id in enumerate(ids.tolist()):
        windows[bind_id] = (int(bind_after[i]), int(bound_at[i]))
        if not still[i]:
            windows[bind_id + ":unbind"] = (int(unbind_after[i]), int(unbound_at[i]))
    return intervals_to_bindings(intervals, display, problems), windows
