"""The vectorised shortcuts of reading agree with the general way they skip: trimming only
what has whitespace at an end, and duplicate ids found from Arrow's dictionary codes (the
row named as first must be the id's first row in the file, as the pandas way names it)."""
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lint.ingest.reader import ends_printable, trim_whitespace
from lint.ingest.schema import _duplicates_by_first_seen, duplicate_rows

PIECES = ["a", "Z", "7", "-", "~", "!", " ", "\t", "\n", "\u00a0", "\u3000", "é", "😀", ""]


def _random_texts(rng: random.Random, n: int) -> list:
    out = []
    for _ in range(n):
        if rng.random() < 0.1:
            out.append(None)
        else:
            out.append("".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5))))
    return out


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("large", [False, True])
def test_trim_whitespace_is_arrows_trim(seed, large):
    rng = random.Random(seed)
    arr = pa.array(_random_texts(rng, 200), type=pa.large_string() if large else pa.string())
    for part in (arr, arr.slice(17, 90), arr.slice(0, 0)):
        assert trim_whitespace(part).equals(pc.utf8_trim_whitespace(part))


def test_chunked_text_is_trimmed_too():
    chunked = pa.chunked_array([["a"], [" b", None]])
    assert trim_whitespace(chunked).to_pylist() == ["a", "b", None]


def test_clean_values_are_not_copied_and_dirty_ones_are_trimmed():
    clean = pa.array(["EV1", "a b", None, "", "x"])
    assert ends_printable(clean) and trim_whitespace(clean) is clean
    for dirty in ([" EV1"], ["EV1 "], ["EV1\t"], ["\u00a0EV1"], ["EV1\u3000"]):
        arr = pa.array(["ok", *dirty])
        assert not ends_printable(arr)
        assert trim_whitespace(arr).to_pylist()[1] == "EV1"


@pytest.mark.parametrize("seed", range(20))
def test_duplicate_rows_name_the_first_row_as_the_pandas_way_does(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300))
    ids = [None if rng.random() < 0.1 else f"id{int(rng.integers(0, max(n // 3, 1)))}" for _ in range(n)]
    rows = np.sort(rng.choice(np.arange(2, 3 * n + 3), size=n, replace=False)) if n else np.zeros(0, np.int64)
    arrow_ids, object_ids = pd.Series(pd.array(ids, dtype="str")), pd.Series(ids, dtype=object)
    assert _duplicates_by_first_seen(arrow_ids, rows) is not None  # Arrow text: the dictionary codes
    assert _duplicates_by_first_seen(object_ids, rows) is None  # anything else: the pandas way
    fast, general = duplicate_rows(arrow_ids, rows), duplicate_rows(object_ids, rows)
    assert np.array_equal(fast[0], general[0])
    assert np.array_equal(fast[1], general[1])
    # and what it means: a repeated id points at the row where the id was first seen
    first_seen = {}
    for i, v in enumerate(ids):
        if v is None:
            assert not fast[0][i]
            continue
        assert fast[0][i] == (v in first_seen)
        first_seen.setdefault(v, rows[i])
        if fast[0].any():
            assert fast[1][i] == first_seen[v]
