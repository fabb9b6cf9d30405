"""The candidate search of DUP001 must find every pair within the distance: compared here
with brute force, on the exhaustive path and on the multi-index path."""
import numpy as np
import pytest

import lint.core.hashindex as hashindex
from lint.core.hashindex import pairs_within, popcount


def brute_force(ga, ha, gb, hb, d):
    out = set()
    for i in range(len(ga)):
        dist = popcount(np.uint64(ha[i]) ^ hb)
        for j in np.flatnonzero((gb == ga[i]) & (dist <= d)):
            out.add((i, int(j), int(dist[j])))
    return out


def planted(seed, n_a=400, n_b=600, groups=3):
    """Random hashes plus near copies (0..20 bits flipped) so every distance occurs."""
    rng = np.random.default_rng(seed)
    ha = rng.integers(0, 2**63, n_a, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, n_a, dtype=np.uint64)
    hb = rng.integers(0, 2**63, n_b, dtype=np.uint64) * np.uint64(2)
    src = rng.integers(0, n_a, n_b // 2)
    flips = rng.integers(0, 21, n_b // 2)
    for k, (s, f) in enumerate(zip(src, flips)):
        bits = rng.choice(64, size=f, replace=False)
        hb[k] = ha[s] ^ np.uint64(sum(1 << int(b) for b in bits))
    ga = rng.integers(0, groups, n_a)
    gb = rng.integers(0, groups, n_b)
    gb[: n_b // 2] = ga[src]
    return ga, ha, gb, hb


@pytest.mark.parametrize("max_distance", [0, 3, 4, 8, 10, 12, 15, 16])
@pytest.mark.parametrize("path", ["brute", "multi-index"])
def test_finds_exactly_the_pairs_brute_force_finds(monkeypatch, max_distance, path):
    if path == "multi-index":
        monkeypatch.setattr(hashindex, "BRUTE_FORCE_PAIRS", 0)  # every group takes the index
    ga, ha, gb, hb = planted(seed=max_distance)
    i, j, d = pairs_within(ga, ha, gb, hb, max_distance)
    found = set(zip(i.tolist(), j.tolist(), d.tolist()))
    expected = brute_force(ga, ha, gb, hb, max_distance)
    assert found == expected
    assert len(found) == len(i)  # no pair twice
    assert len(expected) > 0 or max_distance == 0


def test_pairs_never_cross_groups():
    ha = np.array([5, 5], dtype=np.uint64)
    i, j, d = pairs_within(np.array([0, 1]), ha, np.array([1, 2]), ha, 0)
    assert list(zip(i, j)) == [(1, 0)]


def test_empty_inputs():
    e = np.empty(0, np.int64)
    i, j, d = pairs_within(e, e.astype(np.uint64), np.array([0]), np.array([1], np.uint64), 10)
    assert len(i) == 0
