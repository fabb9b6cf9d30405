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


@dataclass(frozen=True)
class Page:
    """One page of a paged listing (a saved API response): which listing it is of, the
    cursor it was asked with ("" for the first page; None when the request was not saved)
    and the cursor of the next page ("" or None on the last page)."""
    listing: tuple  # pages with equal keys are pages of one listing
    label: str  # the listing in messages ("the shop_lives listing, account_type=OFFICIAL_ACCOUNTS")
    token: str | None
    next_token: str | None


# A LIVE id a shape derives when its file gives none (the Seller Center's export): such a
# session may be one another file gives under its own id (lint.ingest.export.join_files).
DERIVED_LIVE_ID = "live:"


@dataclass
class Shaped:
    """Rows of one canonical table read from a file of a TikTok shape."""
    table: str  # "live_sessions", "videos", "stores", "accounts", "linked_accounts"
    raw: RawTable  # columns under their canonical names
    shape: str  # the shape's name, for messages ("Seller Center Live Analysis export (Indonesian)")
    notes: list[str] = field(default_factory=list)  # said once per file as warnings (what was guessed)
    page: Page | None = None  # the file is one page of a listing (missing_pages says what is missing)


def missing_pages(pages: list[tuple[str, Page]]) -> list[tuple[str, str]]:
    """-> [(file, warning)] for the listings whose pages here do not reach their end: a page
    whose next cursor no page here was asked with (when the requests were saved), else, when
    no page of the listing is its last one, the last file of the listing."""
    listings: dict[tuple, list[tuple[str, Page]]] = {}
    for display, page in pages:
        listings.setdefault(page.listing, []).append((display, page))
    out = []
    for members in listings.values():
        members.sort(key=lambda m: m[0])
        if all(p.token is not None for _, p in members):
            asked = {p.token for _, p in members}
            short = [(d, p) for d, p in members if p.next_token and p.next_token not in asked]
        else:
            short = [] if any(not p.next_token for _, p in members) else members[-1:]
        for display, page in short:
            out.append((display, f"{page.label} goes on after this page (next_page_token {page.next_token!r}) but "
                                 "no page here was fetched with that page_token: the rows of the pages after it are "
                                 "not checked; fetch them and add them to the export"))
    return out


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
