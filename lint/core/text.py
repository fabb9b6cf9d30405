"""Text normalisation and similarity for captions and titles.

One definition, vectorised with pyarrow (a million captions in about a second): Unicode
NFKC, lower case, every run of whitespace a single space, symbols (emoji included) and
control characters removed, punctuation a word break, each hashtag a word of its own.
"""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz


def normalise_many(values) -> pa.Array:
    """Strings (None allowed) -> normalised strings, as a pyarrow array."""
    a = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.string())
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if a.type != pa.string():
        a = a.cast(pa.string())
    a = pc.utf8_lower(pc.utf8_normalize(a, "NFKC"))
    a = pc.replace_substring_regex(a, r"\s+", " ")
    a = pc.replace_substring_regex(a, r"[\p{S}\p{C}]+", "")
    a = pc.replace_substring_regex(a, "#", " #")
    a = pc.replace_substring_regex(a, r"[^\p{L}\p{N}\p{M}_#]+", " ")
    a = pc.replace_substring_regex(a, r"#( |$)", r"\1")  # a lone '#' is punctuation
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(a, " +", " "))


def similarity(a_normalised: str, b_normalised: str) -> float:
    """0-100 between normalised texts; word order does not matter (hashtags reordered)."""
    return float(fuzz.token_sort_ratio(a_normalised, b_normalised))
