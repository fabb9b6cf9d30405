"""Files TikTok Shop itself writes, recognised by their content, whatever their name
(docs/inputs.md lists each shape with its sources and field mapping).

A shape is one module of this package that registers itself:

    @shape("Seller Center Live Analysis export", extensions=(".xlsx", ".csv"))
    def live_analysis(path: Path, display: str, problems: Problems) -> list[Shaped] | None:
        ...   # None: the file is not of this shape (checked cheaply first)

and maps the file onto one or more canonical tables: each `Shaped` holds a RawTable whose
columns carry the canonical names (lint.ingest.schema), so the rows go through the same
validation as a table file, with the file's own row numbers in messages. Several files of
one shape (weekly exports, the pages of one API listing) each give rows of the same table;
lint.ingest.export validates each file on its own and joins them.

Roles from the source: a shape that knows an account's role for its rows (the Partner API's
`account_type` filter, a creator's `author_type`) fills the optional columns
`account_type` (official | marketing), `role_source` (where the role came from, for the
evidence) and `store_id` (the shop the listing is of) of videos and live_sessions; the
checks use that role where no binding says otherwise (lint.checks.context).
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lint.core.problems import Problems
from lint.ingest.reader import RawTable


@dataclass
class Shaped:
    """Rows of one canonical table read from a file of a TikTok shape."""
    table: str  # "live_sessions", "videos", "stores", "accounts", "linked_accounts"
    raw: RawTable  # columns under their canonical names
    shape: str  # the shape's name, for messages ("Seller Center Live Analysis export (Indonesian)")
    notes: list[str] = field(default_factory=list)  # said once per file as warnings (what was guessed)


Reader = Callable[[Path, str, Problems], "list[Shaped] | None"]


@dataclass(frozen=True)
class Shape:
    name: str
    extensions: tuple[str, ...]
    read: Reader


SHAPES: list[Shape] = []


def shape(name: str, *, extensions: tuple[str, ...]):
    """Register the decorated reader as the reader of files of shape `name`."""
    def register(fn: Reader) -> Reader:
        SHAPES.append(Shape(name, tuple(e.lower() for e in extensions), fn))
        return fn
    return register


_loaded = False


def _load_all() -> list[Shape]:
    global _loaded
    if not _loaded:
        for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return SHAPES


def read_shaped(path: Path, display: str, problems: Problems) -> tuple[Shape, list[Shaped]] | None:
    """The first registered shape that reads `path` (by extension, then content), with its
    tables; None when the file is of no known shape. A shape's reader raises
    lint.ingest.reader.UnreadableFile for a file of its shape that cannot be used."""
    ext = path.suffix.lower()
    for s in _load_all():
        if ext not in s.extensions:
            continue
        got = s.read(path, display, problems)
        if got is not None:
            return s, got
    return None
