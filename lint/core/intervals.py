"""Vectorised interval operations shared by the checks (half-open [start, end) in int64 ms)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def group_codes(*columns) -> list[np.ndarray]:
    """Factorise several key columns into one shared integer code space."""
    if all(isinstance(c, pd.Series) and c.dtype == "str" for c in columns):
        # text columns stay Arrow: through Python objects they were read back as "str" anyway
        joined = pd.concat([c.reset_index(drop=True) for c in columns], ignore_index=True)
    else:
        joined = pd.concat([pd.Series(np.asarray(c, dtype=object)) for c in columns], ignore_index=True)
    codes, _ = pd.factorize(joined)
    out, pos = [], 0
    for c in columns:
        out.append(codes[pos:pos + len(c)].astype(np.int64))
        pos += len(c)
    return out


def overlap_join(left_group, left_start, left_end, right_group, right_start, right_end,
                 min_overlap: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j) in the same group whose intervals overlap by at least `min_overlap`
    (and by more than zero: touching intervals do not overlap). Groups are integer codes.

    Sort the right side by (group, start); for each left interval the candidates are the
    right intervals that start before it ends and after (its start - the longest right
    interval of the group): two binary searches, then one filter over the candidates.
    """
    lg, ls, le = (np.asarray(a, dtype=np.int64) for a in (left_group, left_start, left_end))
    rg, rs, re_ = (np.asarray(a, dtype=np.int64) for a in (right_group, right_start, right_end))
    if len(lg) == 0 or len(rg) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    ngroups = int(max(lg.max(), rg.max())) + 1
    longest = np.zeros(ngroups, dtype=np.int64)
    np.maximum.at(longest, rg, re_ - rs)

    # (group, instant) packed into one int64 key, ordered as the pair.
    lower = ls - longest[lg]
    rank, span = _instant_ranks((rs, lower, le), ngroups)
    right_key = rg * span + rank(rs)
    order = np.argsort(right_key, kind="stable")  # by group, then start, then position
    right_key = right_key[order]
    lo = np.searchsorted(right_key, lg * span + rank(lower), side="right")
    hi = np.searchsorted(right_key, lg * span + rank(le), side="left")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    li = np.repeat(np.arange(len(lg), dtype=np.int64), counts)
    # position inside each left interval's candidate run, then shift to its first candidate
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    rj = order[np.repeat(lo, counts) + offsets]
    overlap = np.minimum(le[li], re_[rj]) - np.maximum(ls[li], rs[rj])
    keep = (overlap >= max(min_overlap, 1))
    return li[keep], rj[keep]


def crowded_periods(group, start, end, limit: int):
    """Maximal periods in which more than `limit` intervals of a group are in force at once.

    -> (group, period start, period end, peak count), sorted by group then start.
    A sweep: +1 at each start, -1 at each end (ends first at the same instant, since
    intervals are half-open), counted after all events of an instant.
    """
    g = np.asarray(group, dtype=np.int64)
    s = np.asarray(start, dtype=np.int64)
    e = np.asarray(end, dtype=np.int64)
    live = e > s  # an empty interval is never in force
    g, s, e = g[live], s[live], e[live]
    empty = (np.empty(0, np.int64),) * 4
    if len(g) == 0:
        return empty
    tg = np.concatenate([g, g])
    t = np.concatenate([s, e])
    d = np.concatenate([np.ones(len(s), np.int64), -np.ones(len(e), np.int64)])
    lo_g, lo_t = int(tg.min()), int(t.min())
    span_t = int(t.max()) - lo_t + 1
    if (int(tg.max()) - lo_g + 1) * span_t * 2 < 2 ** 62:
        # (group, instant, end before start) packed into one int64 and sorted as numbers
        # (rows with equal keys are equal: no order among them to keep): a third of lexsort's time
        key = ((tg - lo_g) * span_t + (t - lo_t)) * 2 + (d > 0)
        key.sort()
        d = np.where(key & 1, 1, -1).astype(np.int64)
        key >>= 1
        tg, t = key // span_t + lo_g, key % span_t + lo_t
    else:
        order = np.lexsort((d, t, tg))
        tg, t, d = tg[order], t[order], d[order]
    # Each group's changes sum to zero, so one running sum over the sorted groups is exact.
    count = np.cumsum(d)
    last = np.ones(len(t), dtype=bool)
    last[:-1] = (tg[1:] != tg[:-1]) | (t[1:] != t[:-1])
    tg, t, count = tg[last], t[last], count[last]
    over = count > limit
    if not over.any():
        return empty
    prev_over = np.zeros(len(over), dtype=bool)
    prev_over[1:] = over[:-1] & (tg[1:] == tg[:-1])
    begins = np.flatnonzero(over & ~prev_over)
    # the period ends at the first instant after it begins where the count is back to limit
    not_over = np.flatnonzero(~over)
    ends = not_over[np.searchsorted(not_over, begins)]
    peaks = np.maximum.reduceat(count, np.ravel(np.column_stack([begins, ends])))[::2]
    return tg[begins], t[begins], t[ends], peaks


def rank_within(group, keys) -> np.ndarray:
    """1-based position of each row in its group, ordered by `keys` (the last key is primary)."""
    g = np.asarray(group, dtype=np.int64)
    order = np.lexsort(tuple(np.asarray(k) for k in keys) + (g,))
    gs = g[order]
    first = np.ones(len(gs), dtype=bool)
    first[1:] = gs[1:] != gs[:-1]
    start_pos = np.maximum.accumulate(np.where(first, np.arange(len(gs)), 0))
    ranks = np.empty(len(g), dtype=np.int64)
    ranks[order] = np.arange(len(gs)) - start_pos + 1
    return ranks


def count_in_trailing_window(group, at, window: int) -> np.ndarray:
    """For each event, how many events of its group fall in (at - window, at] (ties all count)."""
    g = np.asarray(group, dtype=np.int64)
    t = np.asarray(at, dtype=np.int64)
    if len(g) == 0:
        return np.empty(0, np.int64)
    rank, span = _instant_ranks((t, t - window), int(g.max()) + 1)
    key = g * span + rank(t)
    sorted_key = np.sort(key)
    hi = np.searchsorted(sorted_key, key, side="right")
    lo = np.searchsorted(sorted_key, g * span + rank(t - window), side="right")
    return hi - lo


def _instant_ranks(times: tuple[np.ndarray, ...], ngroups: int):
    """-> (rank, span): `rank` maps the given instants to integers in [0, span - 1) in the
    same order (equal instants, equal ranks), so that group * span + rank(t) is an int64
    key ordered by (group, instant). The instants themselves (offset by the smallest) when
    that fits in int64, as it does for any real export; else their position among the
    distinct instants."""
    lo = min(int(t.min()) for t in times)
    hi = max(int(t.max()) for t in times)
    span = hi - lo + 2
    if ngroups * span < 2 ** 62:
        return (lambda t: t - lo), span
    universe = np.unique(np.concatenate(times))
    return (lambda t: np.searchsorted(universe, t)), len(universe) + 1
