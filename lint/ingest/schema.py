"""The tables of schema.md, declared once; validation collects every failure case.

Like pandera's lazy validation: every problem of every row is collected, then the rows
with a problem in a required column are dropped and all problems are reported together.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lint.core.model import NO_TIME, Problems, null_text
from lint.ingest.aliases import match_columns
from lint.ingest.reader import RawTable, _empty_to_null, untrimmed_positions
from lint.ingest.timestamps import parse_instants, valid_zone

ID, TEXT, TIMESTAMP, NUMBER, LIST, ENUM, REGION, ZONE = (
    "id", "text", "timestamp", "number", "list", "enum", "region", "timezone")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False  # the column must exist
    nullable: bool = True  # an empty cell is allowed (else: the row is skipped)
    values: tuple[str, ...] = ()  # allowed values of an ENUM, lower case
    unique: bool = False  # a repeated value skips the later row
    # Other spellings of the name: lint.ingest.aliases (one table for every column).


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]
    # Naive timestamps of this table are local to the store in this column.
    zone_by: str | None = None
    # (start column, end column): the end may not come before the start.
    ordered: tuple[str, str] | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def req_id(name: str, **kw) -> Column:
    """A required id column (text, never empty)."""
    return Column(name, ID, required=True, nullable=False, **kw)


STORES = TableSchema("stores", (
    req_id("store_id", unique=True),
    Column("region", REGION, required=True),
    Column("store_name", TEXT),
    Column("timezone", ZONE),
    Column("manager_email", TEXT),
    Column("language", ENUM, values=("en", "id")),  # of the store's email (default: the report's --lang)
))

ACCOUNTS = TableSchema("accounts", (
    req_id("account_id", unique=True),
    Column("handle", TEXT),
    Column("region", REGION),
))

ACCOUNT_TYPE = Column("account_type", ENUM, required=True, nullable=False, values=("official", "marketing"))

BINDING_EVENTS = TableSchema("bindings", (
    req_id("event_id", unique=True),
    req_id("store_id"),
    req_id("account_id"),
    ACCOUNT_TYPE,
    Column("action", ENUM, required=True, nullable=False, values=("bind", "unbind")),
    Column("at", TIMESTAMP, required=True, nullable=False),
), zone_by="store_id")

BINDING_INTERVALS = TableSchema("bindings", (
    req_id("binding_id", unique=True),
    req_id("store_id"),
    req_id("account_id"),
    ACCOUNT_TYPE,
    Column("bound_at", TIMESTAMP, required=True, nullable=False),
    Column("unbound_at", TIMESTAMP),
), zone_by="store_id", ordered=("bound_at", "unbound_at"))

# Roles from the source (lint.ingest.shapes): optional on videos and live_sessions. A value
# other than official/marketing (an affiliate's video, say) is ignored with a message.
SOURCE_ROLE = (
    Column("store_id", ID),  # the shop the listing is of
    Column("account_type", ENUM, values=("official", "marketing")),
    Column("role_source", TEXT),  # where the role came from, for the evidence
)

VIDEOS = TableSchema("videos", (
    req_id("video_id", unique=True),
    req_id("account_id"),
    Column("posted_at", TIMESTAMP, required=True, nullable=False),
    Column("caption", TEXT),
    Column("duration_s", NUMBER),
    Column("thumbnail", TEXT),
    Column("thumbnail_phash", TEXT),
    Column("share_url", TEXT),  # the video's public link, shown beside a DUP001 finding
    Column("frames", LIST),
    Column("video_file", TEXT),  # the video itself, a path in the export (.mp4 .mov .webm .mkv)
    Column("music_id", ID),
    Column("hashtags", LIST),
    Column("product_ids", LIST),
    *SOURCE_ROLE,
), zone_by="store_id")

LIVE_SESSIONS = TableSchema("live_sessions", (
    req_id("live_id", unique=True),
    req_id("account_id"),
    Column("started_at", TIMESTAMP, required=True, nullable=False),
    Column("ended_at", TIMESTAMP, required=True),
    Column("title", TEXT),
    Column("product_ids", LIST),
    Column("stream_source", ID),
    Column("creator_id", ID),  # the numeric user id beside a user name (Seller Center export)
    *SOURCE_ROLE,
), zone_by="store_id", ordered=("started_at", "ended_at"))

# Snapshots of a shop's linked accounts as the Seller Center lists them (schema.md): the
# ledger shoplint keeps itself when there is no bindings table (lint.ingest.snapshots).
LINKED_ACCOUNTS = TableSchema("linked_accounts", (
    req_id("store_id"),
    req_id("account_id"),
    ACCOUNT_TYPE,
    Column("seen_at", TIMESTAMP, required=True, nullable=False),
), zone_by="store_id")

PRODUCTS = TableSchema("products", (
    req_id("product_id", unique=True),
    Column("store_id", ID),
    Column("source", ENUM, required=True, nullable=False, values=("shop", "marketplace")),
))

SCHEMAS = {s.name: s for s in (STORES, ACCOUNTS, VIDEOS, LIVE_SESSIONS, PRODUCTS, LINKED_ACCOUNTS)}


@dataclass
class Validated:
    frame: pd.DataFrame  # the kept rows, typed; column `_row` holds the user's row number
    rows_read: int
    missing_columns: list[str] = field(default_factory=list)


def resolve_columns(schema: TableSchema, raw: RawTable) -> tuple[dict[str, str], list[str]]:
    """Map each schema column to a raw column (by name or alias) -> (mapping, missing required)."""
    mapping = match_columns(schema.name, [c.name for c in schema.columns], list(raw.columns))
    return mapping, [c.name for c in schema.columns if c.required and c.name not in mapping]


def _one_value_each(arr: pa.Array) -> pa.Array:
    """A list where one value belongs (JSON, Parquet): its one element, else the joined text
    (then reported as not a timestamp, not a number, an unknown store...)."""
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        return _empty_to_null(pc.binary_join(arr, "|"))
    return arr


def validate(schema: TableSchema, raw: RawTable, display: str, problems: Problems,
             default_zone: str, store_zones: dict[str, str] | None = None,
             slice_of_file: bool = False) -> Validated | None:
    """Type every column, collect every problem; None when the table cannot be used.

    `slice_of_file`: `raw` is some rows of a larger file (lint.engines.dask.session validates a Parquet
    file row group by row group): the file-wide parts are left to the caller, so every
    flagged row is reported (no per-column cap) and duplicate ids are not looked for."""
    mapping, missing = resolve_columns(schema, raw)
    if missing:
        found = ", ".join(raw.original_names[c] for c in raw.columns) or "none"
        for name in missing:
            problems.fatal(display, f"required column '{name}' is missing (columns found: {found})",
                           row=1 if not raw.list_native else None, column=name)
        return None

    n = raw.num_rows
    drop = np.zeros(n, dtype=bool)
    data: dict[str, object] = {}
    zones = None
    if schema.zone_by and store_zones and schema.zone_by in mapping:
        ids = _one_value_each(raw.columns[mapping[schema.zone_by]]).to_pandas()
        zones = ids.map(store_zones).to_numpy(dtype=object, na_value=None)

    def flag(mask: np.ndarray, col: Column, message: str, values: pa.Array | None, skip: bool):
        for i in np.flatnonzero(mask)[:None if slice_of_file else MAX_PER_COLUMN]:
            v = None if values is None else values[int(i)].as_py()
            problems.add(display, raw.rows[i], raw.original_names.get(mapping.get(col.name), col.name),
                         message + ("; row skipped" if skip else "; value ignored"),
                         value=v if not isinstance(v, list) else "|".join(map(str, v)),
                         level="row" if skip else "value")
        extra = int(mask.sum()) - MAX_PER_COLUMN
        if extra > 0 and not slice_of_file:
            problems.add(display, None, col.name, more_rows_message(extra), level="row" if skip else "value")

    for col in schema.columns:
        if col.name not in mapping:
            data[col.name] = _absent(col, n)
            continue
        arr = raw.columns[mapping[col.name]]
        skip_on_error = col.required and not col.nullable
        if col.kind == LIST:
            data[col.name] = _to_lists(arr, raw.list_native)
            continue
        arr = _one_value_each(arr)
        is_null = arr.is_null().to_numpy(zero_copy_only=False)
        if not col.nullable:
            flag(is_null, col, f"required value '{col.name}' is empty", None, skip=True)
            drop |= is_null
        if col.kind == TIMESTAMP:
            ms, bad = parse_instants(arr, zones, default_zone)
            # A wrong time would silently move the row into or out of a window: always skip it.
            flag(bad, col, "is not a timestamp (ISO 8601, or Unix epoch seconds/milliseconds)", arr, skip=True)
            drop |= bad
            data[col.name] = ms
        elif col.kind == NUMBER:
            num = pd.to_numeric(pd.Series(arr.to_pylist(), dtype="object"),
                                errors="coerce").to_numpy(dtype=float, copy=True)
            bad = ~is_null & (np.isnan(num) | ~np.isfinite(num))
            flag(bad, col, "is not a number", arr, skip=False)
            num[bad] = np.nan
            data[col.name] = num
        elif col.kind == ENUM:
            allowed = pa.array(col.values)
            ok = pc.fill_null(pc.is_in(arr, value_set=allowed), False).to_numpy(zero_copy_only=False)
            if (ok | is_null).all():
                lowered = arr  # every value is an allowed one as written: trimming and lowering keep it
            else:
                lowered = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
                ok = pc.fill_null(pc.is_in(lowered, value_set=allowed), False).to_numpy(zero_copy_only=False)
            bad = ~is_null & ~ok
            flag(bad, col, f"must be one of {', '.join(col.values)}", arr, skip=skip_on_error)
            if skip_on_error:
                drop |= bad
            values = pd.array(lowered, dtype="str") if n else pd.array([], dtype="str")  # no Python strings
            if bad.any():
                values[bad] = pd.NA
            data[col.name] = values
        elif col.kind == REGION:
            data[col.name] = pd.array(pc.utf8_upper(pc.utf8_trim_whitespace(arr)), dtype="str")
        elif col.kind == ZONE:
            names = pc.utf8_trim_whitespace(arr)
            uniq = [z for z in pc.unique(names).to_pylist() if z is not None]
            invalid = {z for z in uniq if not valid_zone(z)}
            bad = pc.fill_null(pc.is_in(names, value_set=pa.array(sorted(invalid), type=pa.string())), False
                               ).to_numpy(zero_copy_only=False) if invalid else np.zeros(n, bool)
            flag(bad, col, f"is not an IANA time zone (e.g. Asia/Jakarta); the run's zone {default_zone} is used",
                 arr, skip=False)
            values = pd.array(names, dtype="str")
            values[bad] = pd.NA
            data[col.name] = values
        else:
            data[col.name] = pd.array(arr, dtype="str")

    if schema.ordered:
        start_col, end_col = schema.ordered
        start, end = np.asarray(data[start_col]), np.asarray(data[end_col])
        backwards = (start != NO_TIME) & (end != NO_TIME) & (end < start) & ~drop
        col = schema.column(end_col)
        flag(backwards, col, f"'{end_col}' is before '{start_col}'", raw.columns.get(mapping.get(end_col)),
             skip=True)
        drop |= backwards

    for col in schema.columns:
        if col.unique and col.name in mapping and not slice_of_file:
            values = pd.Series(data[col.name], copy=False)
            dup, first_row = duplicate_rows(values, raw.rows)
            dup &= ~drop
            for i in np.flatnonzero(dup)[:MAX_PER_COLUMN]:
                problems.add(display, raw.rows[i], raw.original_names[mapping[col.name]],
                             duplicate_message(col.name, first_row[i]), value=values.iloc[i])
            drop |= dup
    # Drop the rows column by column before the frame is built (a boolean filter of each
    # Arrow or numpy column: no index take over the whole frame).
    data["_row"] = np.asarray(raw.rows)
    if drop.any():
        keep = ~drop
        data = {k: (v.loc[keep].reset_index(drop=True) if isinstance(v, pd.Series) else v[keep])
                for k, v in data.items()}
    return Validated(pd.DataFrame(data), raw.rows_read)


# A broken column of a million rows should not make a million messages.
MAX_PER_COLUMN = 1000


def more_rows_message(extra: int) -> str:
    """The line that stands for the flagged rows past MAX_PER_COLUMN."""
    return f"{extra} more rows with the same problem"


def duplicate_rows(values: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """-> (mask of the rows whose id is in an earlier row, kept or not; the row number of that
    first row, per row). Rows without an id are never duplicates. `rows` in file order."""
    fast = _duplicates_by_first_seen(values, rows)
    if fast is not None:
        return fast
    first_row = np.zeros(len(values), dtype=np.int64)
    repeated = values.duplicated(keep="first").to_numpy() & values.notna().to_numpy()
    if repeated.any():
        # every row of an id points at the id's first row (its first position in the file)
        codes = pd.factorize(values, use_na_sentinel=True)[0]
        seen = np.flatnonzero(codes >= 0)
        _, first = np.unique(codes[seen], return_index=True)  # code c's first position among `seen`
        first_row[seen] = np.asarray(rows, dtype=np.int64)[seen[first[codes[seen]]]]
    return repeated, first_row


def _duplicates_by_first_seen(values: pd.Series, rows: np.ndarray):
    """duplicate_rows from Arrow's dictionary encoding (codes numbered in order of first
    appearance: a row repeats an id when its code is not above every earlier code), for a
    column of Arrow strings; None for anything else (the pandas way decides)."""
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    try:
        arr = pa.array(values.array)
    except (TypeError, pa.ArrowException):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    codes = pc.fill_null(pc.dictionary_encode(arr).indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    before = np.empty(len(codes), dtype=np.int64)
    if len(codes):
        before[0] = -1
        np.maximum.accumulate(codes[:-1], out=before[1:])
    new = codes > before
    firsts = np.flatnonzero(new)
    if not np.array_equal(codes[firsts], np.arange(len(firsts))):
        return None  # not numbered in order of appearance: let pandas decide
    present = codes >= 0
    repeated = present & ~new
    first_row = np.zeros(len(codes), dtype=np.int64)
    if repeated.any():  # (as the pandas way: row numbers only when some id repeats)
        first_row[present] = np.asarray(rows, dtype=np.int64)[firsts[codes[present]]]
    return repeated, first_row


def duplicate_message(column: str, first_row: int) -> str:
    """The message of a repeated id: it names the row of its first occurrence."""
    return f"duplicate {column} (first at row {first_row}); row skipped"


def _absent(col: Column, n: int):
    if col.kind == TIMESTAMP:
        return np.full(n, NO_TIME, dtype=np.int64)
    if col.kind == NUMBER:
        return np.full(n, np.nan)
    if col.kind == LIST:
        return empty_lists(n)
    return null_text(n)


def empty_lists(n: int) -> pd.Series:
    """A list column with an empty list in each of `n` rows: one list object shared by every
    row (56 bytes a row otherwise: 64 MB per column of a million videos). Canonical tables are
    never changed in place, so no row's list is ever appended to."""
    return pd.Series([[]] * n, dtype=object) if n else pd.Series([], dtype=object)


def _to_lists(arr: pa.Array, native: bool) -> pd.Series:
    """`a|b|c` text or native lists -> a Series of Python lists of trimmed, non-empty strings."""
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        values = arr.to_pylist()
        return pd.Series([[str(x).strip() for x in v if x is not None and str(x).strip()] if v else []
                          for v in values], dtype=object)
    if arr.null_count == len(arr):  # no list in the column (the common case): an empty list per row
        return empty_lists(len(arr))
    split = pc.split_pattern(pc.fill_null(arr, ""), "|")
    items = split.flatten()
    # an item whose ends are printable ASCII (not a space) is the same trimmed: only the
    # others are trimmed in Python (str.strip, as before), then the empty ones left out
    odd = untrimmed_positions(items)
    if len(odd):
        mask = np.zeros(len(items), dtype=bool)
        mask[odd] = True
        items = pc.replace_with_mask(items, pa.array(mask), pa.array(
            [x.strip() for x in items.take(pa.array(odd)).to_pylist()], type=items.type))
    keep = pc.greater(pc.binary_length(items), 0).to_numpy(zero_copy_only=False)
    parents = pc.list_parent_indices(split).to_numpy(zero_copy_only=False)
    offsets = np.zeros(len(split) + 1, dtype=np.int64)
    np.cumsum(np.bincount(parents[keep], minlength=len(split)), out=offsets[1:])
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), items.filter(pa.array(keep)))
    return pd.Series(lists.to_pylist(), dtype=object)
