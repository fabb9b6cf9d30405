"""Text normalisation and similarity for captions and titles."""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

_NON_WORD = re.compile(r"[^\w#]+", re.UNICODE)


def normalise(text: str) -> str:
    """Case, accents, emoji and punctuation folded away; words kept in order."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith(("S", "C")))
    return " ".join(_NON_WORD.sub(" ", text).split())


def text_similarity(a: str, b: str) -> float:
    """0-100; word order does not matter (hashtags reordered, words moved)."""
    return float(fuzz.token_sort_ratio(normalise(a), normalise(b)))
