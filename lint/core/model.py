"""Canonical tables every check reads (their input problems: lint.core.problems).

Timestamps are int64 milliseconds since the Unix epoch (UTC) in numpy arrays: exact
millisecond precision, elapsed-time arithmetic for free, no time-zone work inside checks.
Ids are strings exactly as written.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lint.core.problems import InputProblem, ProblemLevel, Problems  # noqa: F401 - the tables' problems

MS_PER_SECOND = 1_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
# int64 marker for "no timestamp" (an open binding, a LIVE still live).
NO_TIME = np.iinfo(np.int64).min
# Columns of a LIVE or video that carry its account's role as the source states it
# (lint.ingest.shapes): where the shop, the role and the role's origin are written.
ROLE_COLUMNS = ("store_id", "account_type", "role_source")


def null_text(n: int):
    """A text column ("str", Arrow) of `n` missing values, without a list of n Nones (57 ms
    per 200,000 rows)."""
    import pyarrow as pa
    return pd.array(pa.nulls(n, pa.large_string()), dtype="str")


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
    # Snapshots of linked accounts (store_id, account_id, account_type, seen_at): read into
    # `bindings` for the stores the bindings table does not cover (lint.ingest.snapshots).
    linked_accounts: pd.DataFrame | None = None
    # Events known only to within a window (a ledger from snapshots): event id -> (after, by),
    # the event happened in (after, by]; after is NO_TIME when nothing bounds it.
    observed: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Where each table came from (file name inside the export), for messages.
    sources: dict[str, str] = field(default_factory=dict)
    # Rows read per table, before bad rows were dropped.
    rows_read: dict[str, int] = field(default_factory=dict)
    root: str | None = None
    # Covers given as URLs and downloaded (--fetch-covers): URL -> the local file, for the
    # pictures of the HTML report.
    fetched_covers: dict[str, str] = field(default_factory=dict)

    def one_store(self) -> str | None:
        """The store of rows that state a role but name no store: the stores table's only
        store, else the only store the LIVEs and videos name; None when that is not one."""
        if self.stores is not None and self.stores["store_id"].nunique() == 1:
            return self.stores["store_id"].iloc[0]
        named = set()
        for frame in (self.lives, self.videos):
            if isinstance(frame, pd.DataFrame) and "store_id" in frame.columns:
                named |= set(frame["store_id"].dropna().unique().tolist())
        return named.pop() if len(named) == 1 else None

    def has_source_roles(self) -> bool:
        """Whether a LIVE or video carries its account's role from the source."""
        return any(isinstance(f, pd.DataFrame) and "account_type" in f.columns and bool(f["account_type"].notna().any())
                   for f in (self.lives, self.videos))

    def has(self, *tables: str) -> bool:
        """Whether the export has every table named (contract names, e.g. live_sessions)."""
        return all(getattr(self, _ATTR.get(t, t)) is not None for t in tables)


# Table names of the contract -> attribute of Export.
_ATTR = {"live_sessions": "lives"}
