"""Canonical tables every check reads, and the input problems found while building them.

Timestamps are int64 milliseconds since the Unix epoch (UTC) in numpy arrays: exact
millisecond precision, elapsed-time arithmetic for free, no time-zone work inside checks.
Ids are strings exactly as written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

MS_PER_SECOND = 1_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
# int64 marker for "no timestamp" (an open binding, a LIVE still live).
NO_TIME = np.iinfo(np.int64).min


class ProblemLevel(StrEnum):
    """How bad an input problem is."""
    FATAL = "fatal"  # the file or table cannot be used: exit 2, no report
    ROW = "row"  # that row was skipped and is listed
    VALUE = "value"  # the row was kept, that value ignored (an optional column: a picture, a list item)
    WARNING = "warning"  # read anyway (e.g. an unknown time zone fell back to the default)


@dataclass(frozen=True, order=True)
class InputProblem:
    """One thing wrong with the input. `row` counts as the user does: see lint.ingest.reader."""

    file: str
    row: int | None
    column: str | None
    message: str
    value: str | None = None
    level: ProblemLevel = ProblemLevel.ROW

    def where(self) -> str:
        """'file, row N, column 'c'' as far as known."""
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def describe(self) -> str:
        """One line for a person: where, what, and the value."""
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.where()}: {self.message}{shown}"

    def to_dict(self) -> dict:
        """The problem as the reports' `input_errors` list it."""
        return {"file": self.file, "row": self.row, "column": self.column,
                "value": self.value, "message": self.message, "level": str(self.level)}


@dataclass
class Problems:
    """Collects every problem instead of stopping at the first (pandera's lazy validation)."""

    items: list[InputProblem] = field(default_factory=list)

    def add(self, file, row, column, message, value=None, level=ProblemLevel.ROW):
        """Record a problem (a row skipped, unless `level` says otherwise)."""
        if value is not None:
            value = str(value)
            if len(value) > 200:
                value = value[:200] + "…"
        self.items.append(InputProblem(file, None if row is None else int(row), column,
                                       message, value, ProblemLevel(level)))

    def fatal(self, file, message, row=None, column=None, value=None):
        """Record a problem that makes the export unusable."""
        self.add(file, row, column, message, value, level=ProblemLevel.FATAL)

    @property
    def has_fatal(self) -> bool:
        """Whether any problem makes the export unusable."""
        return any(p.level == ProblemLevel.FATAL for p in self.items)

    def sorted(self) -> list[InputProblem]:
        """Every problem in file, row, column, message order (the reports' order)."""
        return sorted(self.items, key=lambda p: (p.file, p.row if p.row is not None else -1,
                                                 p.column or "", p.message))


@dataclass
class Export:
    """The canonical tables of one export. A table is None when the export does not have it.

    stores:   store_id, region (upper case or <NA>), store_name, timezone, manager_email, language
    accounts: account_id, handle, region (upper case or <NA>)
    bindings: one row per binding (a bind and, if any, its unbind):
              bind_id, unbind_id (<NA> while bound), store_id, account_id,
              account_type ('official' | 'marketing'), start, end (ms; NO_TIME while bound)
    unbinds:  the unbind events kept (bindings with an unbind) — derived, see `unbinds()`
    lives:    live_id, account_id, start, end (ms; NO_TIME while live), title,
              product_ids (list), stream_source
    videos:   video_id, account_id, posted (ms), caption, duration_s, thumbnail,
              thumbnail_phash, frames (list), music_id, hashtags (list), product_ids (list)
    """

    stores: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None
    bindings: pd.DataFrame | None = None
    lives: pd.DataFrame | None = None
    videos: pd.DataFrame | None = None
    products: pd.DataFrame | None = None
    # Where each table came from (file name inside the export), for messages.
    sources: dict[str, str] = field(default_factory=dict)
    # Rows read per table, before bad rows were dropped.
    rows_read: dict[str, int] = field(default_factory=dict)
    root: str | None = None
    # Covers given as URLs and downloaded (--fetch-covers): URL -> the local file, for the
    # pictures of the HTML report.
    fetched_covers: dict[str, str] = field(default_factory=dict)

    def has(self, *tables: str) -> bool:
        """Whether the export has every table named (contract names, e.g. live_sessions)."""
        return all(getattr(self, _ATTR.get(t, t)) is not None for t in tables)


# Table names of the contract -> attribute of Export.
_ATTR = {"live_sessions": "lives"}
