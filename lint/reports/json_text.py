"""`json.dumps(obj, ensure_ascii=False, indent=1)`, the same text, faster.

Python 3.11's json module writes indented JSON with its pure-Python encoder (a generator
per container, a `yield` per token); the JSON report of a big export holds ~100,000 small
objects (one per finding, headroom item and store) and spent most of its rendering time
there. Here a container whose items are all plain scalars (str, int, float, bool, None:
exactly these types) is written by the C encoder in one call, with the item separator of
its depth (",\\n" and the indent), which gives the bytes the indenting encoder gives: the
C and Python encoders share the string escaper (`encode_basestring`) and write numbers
with `int.__repr__` / `float.__repr__` (NaN and the infinities as `NaN`, `Infinity`, as
json does by default). Any other container is walked here the way json walks it; any
value of another type (a subclass, a tuple inside a flat container, an object json would
refuse) makes the whole text come from `json.dumps` itself, so the result is always the
stdlib's.
"""
from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring

__all__ = ["dumps_indent1", "dumps_indent1_utf8"]

_SCALARS = frozenset({str, int, float, bool, type(None)})
_STR = frozenset({str})
_DICT = frozenset({dict})
_INF = float("inf")
_FLAT: dict[int, object] = {}  # depth -> C encoder writing a flat container's items at that depth


class _Other(Exception):
    """A value this writer does not take: json.dumps writes the whole text."""


def _refuse(o):
    raise _Other


def _flat(depth: int):
    enc = _FLAT.get(depth)
    if enc is None:
        enc = _FLAT[depth] = c_make_encoder(None, _refuse, encode_basestring, None, ": ",
                                            ",\n" + " " * depth, False, False, True)
    return enc


def _scalar(o) -> str:
    t = type(o)
    if t is str:
        return encode_basestring(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if t is int:
        return int.__repr__(o)
    if t is float:
        if o != o:
            return "NaN"
        if o in (_INF, -_INF):
            return "Infinity" if o > 0 else "-Infinity"
        return float.__repr__(o)
    raise _Other


def _flat_block(o, depth: int) -> str:
    """A flat object or list (scalars only) at `depth`, by json's C encoder: its brackets put
    on their own lines as the indenting encoder does."""
    text = "".join(_flat(depth + 1)(o, 0))
    return text[0] + "\n" + " " * (depth + 1) + text[1:-1] + "\n" + " " * depth + text[-1]


def _write(o, depth: int, out: list) -> None:
    t = type(o)
    if t is dict:
        if not o:
            out.append("{}")
            return
        inner = depth + 1
        if _STR.issuperset(map(type, o)) and _SCALARS.issuperset(map(type, o.values())):
            out.append(_flat_block(o, depth))
            return
        pad = " " * inner
        out.append("{\n")
        first = True
        for k, v in o.items():
            if type(k) is not str:
                raise _Other
            out.append(("" if first else ",\n") + pad + encode_basestring(k) + ": ")
            first = False
            if type(v) in _SCALARS:
                out.append(_scalar(v))
            else:
                _write(v, inner, out)
        out.append("\n" + " " * depth + "}")
    elif t is list:
        if not o:
            out.append("[]")
            return
        inner = depth + 1
        if _SCALARS.issuperset(map(type, o)):
            out.append(_flat_block(o, depth))
            return
        if _DICT.issuperset(map(type, o)) and all(
                d and _STR.issuperset(map(type, d)) and _SCALARS.issuperset(map(type, d.values())) for d in o):
            # a list of flat objects (headroom items): one C call for the list, written with
            # the objects' item separator; the list's own separators are then the only places
            # where '}' + separator + '{' occurs (a raw line break is never inside a string)
            sep = ",\n" + " " * (inner + 1)
            parts = "".join(_flat(inner + 1)(o, 0))[2:-2].split("}" + sep + "{")
            if len(parts) == len(o):
                pad = " " * inner
                opening, closing = "{\n" + " " * (inner + 1), "\n" + pad + "}"
                out.append("[\n" + pad + opening + (closing + ",\n" + pad + opening).join(parts) + closing
                           + "\n" + " " * depth + "]")
                return
        pad = " " * inner
        out.append("[\n")
        first = True
        for v in o:
            out.append("" if first else ",\n")
            out.append(pad)
            first = False
            if type(v) in _SCALARS:
                out.append(_scalar(v))
            else:
                _write(v, inner, out)
        out.append("\n" + " " * depth + "]")
    elif t in _SCALARS:
        out.append(_scalar(o))
    else:
        raise _Other


def dumps_indent1(obj) -> str:
    """Exactly `json.dumps(obj, ensure_ascii=False, indent=1)`."""
    out: list[str] = []
    try:
        _write(obj, 0, out)
    except (_Other, RecursionError):
        return json.dumps(obj, ensure_ascii=False, indent=1)
    return "".join(out)


def dumps_indent1_utf8(obj, end: str = "") -> bytes:
    """`(dumps_indent1(obj) + end).encode("utf-8")`, without the text as one string first: a big
    report's text with an emoji in it is 4 bytes a character as one Python string (PEP 393),
    ~1 GB for 235 MB of JSON; piece by piece only the pieces with one are."""
    out: list[str] = []
    try:
        _write(obj, 0, out)
    except (_Other, RecursionError):
        return (json.dumps(obj, ensure_ascii=False, indent=1) + end).encode("utf-8")
    out.append(end)
    return b"".join([piece.encode("utf-8") for piece in out])
