"""Find every pair of 64-bit hashes within a Hamming distance, per group, without comparing
every pair.

Small groups are compared exhaustively (vectorised). Large groups use multi-index hashing
(Norouzi et al., 2012): split the 64 bits into 4 chunks of 16; if two hashes differ in at
most d bits, some chunk differs in at most d // 4 bits (pigeonhole). So probing, for every
query chunk, each chunk value within d // 4 bits of it finds every true pair; candidates
are then checked on all 64 bits. Exact: it misses nothing (tests compare with brute force).
"""
from __future__ import annotations

from itertools import combinations

import numpy as np

CHUNKS = 4
CHUNK_BITS = 16
# A group is compared exhaustively up to this many pairs (a vectorised cross join).
BRUTE_FORCE_PAIRS = 4_000_000
# candidates handled per batch, to bound memory (each costs ~60 bytes across the arrays alive at once)
_MAX_CANDIDATES = 4_000_000


def popcount(x: np.ndarray) -> np.ndarray:
    """The number of set bits of each uint64 (Hamming weights, for hash distances)."""
    return np.bitwise_count(x.astype(np.uint64, copy=False)).astype(np.int64)


def _masks(radius: int) -> np.ndarray:
    """All 16-bit values with at most `radius` bits set."""
    out = [0]
    for r in range(1, radius + 1):
        out += [sum(1 << b for b in combo) for combo in combinations(range(CHUNK_BITS), r)]
    return np.asarray(out, dtype=np.uint64)


def pairs_within(group_a, hash_a, group_b, hash_b, max_distance: int):
    """-> (i, j, distance) for every i in a, j in b with group_a[i] == group_b[j] and
    popcount(hash_a[i] ^ hash_b[j]) <= max_distance. Groups are integer codes."""
    ga, ha = np.asarray(group_a, dtype=np.int64), np.asarray(hash_a, dtype=np.uint64)
    gb, hb = np.asarray(group_b, dtype=np.int64), np.asarray(hash_b, dtype=np.uint64)
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))
    if len(ga) == 0 or len(gb) == 0:
        return empty
    ngroups = int(max(ga.max(), gb.max())) + 1
    count_a = np.bincount(ga, minlength=ngroups)
    count_b = np.bincount(gb, minlength=ngroups)
    big = count_a * count_b > BRUTE_FORCE_PAIRS
    out = [_brute_force(ga, ha, gb, hb, ~big, max_distance)]
    if big.any():
        out.append(_multi_index(ga, ha, gb, hb, big, max_distance))
    i = np.concatenate([o[0] for o in out])
    j = np.concatenate([o[1] for o in out])
    d = np.concatenate([o[2] for o in out])
    order = np.lexsort((j, i))
    return i[order], j[order], d[order]


def _brute_force(ga, ha, gb, hb, groups_mask, max_distance):
    """Every pair of the selected groups: sort b by group, give each a its run of b."""
    sel_a = np.flatnonzero(groups_mask[ga])
    sel_b = np.flatnonzero(groups_mask[gb])
    res_i, res_j, res_d = [], [], []
    if len(sel_a) and len(sel_b):
        order_b = sel_b[np.argsort(gb[sel_b], kind="stable")]
        gb_sorted = gb[order_b]
        lo = np.searchsorted(gb_sorted, ga[sel_a], side="left")
        hi = np.searchsorted(gb_sorted, ga[sel_a], side="right")
        counts = hi - lo
        # batches of a so the exploded pairs stay within memory
        cum = np.cumsum(counts)
        start = 0
        while start < len(sel_a):
            base = cum[start - 1] if start else 0
            stop = max(int(np.searchsorted(cum, base + _MAX_CANDIDATES, side="right")), start + 1)
            c = counts[start:stop]
            total = int(c.sum())
            if total:
                ai = np.repeat(sel_a[start:stop], c)
                offsets = np.arange(total) - np.repeat(np.cumsum(c) - c, c)
                bj = order_b[np.repeat(lo[start:stop], c) + offsets]
                d = popcount(ha[ai] ^ hb[bj])
                keep = d <= max_distance
                res_i.append(ai[keep]), res_j.append(bj[keep]), res_d.append(d[keep])
            start = stop
    if not res_i:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(res_i), np.concatenate(res_j), np.concatenate(res_d)


def _multi_index(ga, ha, gb, hb, groups_mask, max_distance):
    radius = max_distance // CHUNKS
    masks = _masks(radius)
    sel_a = np.flatnonzero(groups_mask[ga])
    sel_b = np.flatnonzero(groups_mask[gb])
    # big groups renumbered 0..k-1, so (group, chunk value) indexes a dense bucket table
    big_groups, local_a = np.unique(ga[sel_a], return_inverse=True)
    local_b = np.searchsorted(big_groups, gb[sel_b])
    nbuckets = len(big_groups) << CHUNK_BITS
    found_i, found_j = [], []
    batch = max(1, _MAX_CANDIDATES // (len(masks) * 8))
    for c in range(CHUNKS):
        shift = np.uint64(CHUNK_BITS * c)
        chunk_b = ((hb[sel_b] >> shift) & np.uint64(0xFFFF)).astype(np.int64)
        bucket_b = (local_b.astype(np.int64) << CHUNK_BITS) | chunk_b
        order = np.argsort(bucket_b, kind="stable")
        members = sel_b[order]  # b rows grouped by bucket
        member_hash = hb[members]
        starts = np.zeros(nbuckets + 1, dtype=np.int64)
        np.cumsum(np.bincount(bucket_b, minlength=nbuckets), out=starts[1:])
        base_a = local_a.astype(np.int64) << CHUNK_BITS
        chunk_a = ((ha[sel_a] >> shift) & np.uint64(0xFFFF)).astype(np.int64)
        masks_i = masks.astype(np.int64)
        for s in range(0, len(sel_a), batch):
            q = slice(s, s + batch)
            probes = (base_a[q, None] | (chunk_a[q, None] ^ masks_i[None, :])).ravel()
            lo, hi = starts[probes], starts[probes + 1]
            counts = hi - lo
            total = int(counts.sum())
            if not total:
                continue
            query = np.repeat(np.repeat(np.arange(s, min(s + batch, len(sel_a))), len(masks)), counts)
            pos = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
            d = popcount(ha[sel_a[query]] ^ member_hash[pos])
            keep = np.flatnonzero(d <= max_distance)
            found_i.append(sel_a[query[keep]]), found_j.append(members[pos[keep]])
    if not found_i:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    # a pair close in several chunks is found several times
    pair = np.unique(i.astype(np.int64) * (len(gb) + 1) + j)
    i, j = pair // (len(gb) + 1), pair % (len(gb) + 1)
    return i, j, popcount(ha[i] ^ hb[j])
