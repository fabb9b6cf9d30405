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

from lint.ingest.reader import RawTable, _empty_to_null
from lint.ingest.timestamps import parse_instants, valid_zone
from lint.model import NO_TIME, Problems

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
    # Common other spellings of the column name (normalised: lower case, trimmed).
    aliases: tuple[str, ...] = ()


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
    return Column(name, ID, required=True, nullable=False, **kw)


STORES = TableSchema("stores", (
    req_id("store_id", unique=True, aliases=("shop_id", "store id", "shop id")),
    Column("region", REGION, required=True, aliases=("store_region", "country")),
    Column("store_name", TEXT, aliases=("shop_name", "name")),
    Column("timezone", ZONE, aliases=("tz", "time_zone")),
    Column("manager_email", TEXT, aliases=("email", "manager_emails")),
))

ACCOUNTS = TableSchema("accounts", (
    req_id("account_id", unique=True, aliases=("tiktok_user_id", "user_id", "account id", "open_id")),
    Column("handle", TEXT, aliases=("username", "unique_id")),
    Column("region", REGION, aliases=("account_region", "country")),
))

ACCOUNT_TYPE = Column("account_type", ENUM, required=True, nullable=False, values=("official", "marketing"),
                      aliases=("type", "role", "account type"))

BINDING_EVENTS = TableSchema("bindings", (
    req_id("event_id", unique=True),
    req_id("store_id", aliases=("shop_id",)),
    req_id("account_id", aliases=("tiktok_user_id",)),
    ACCOUNT_TYPE,
    Column("action", ENUM, required=True, nullable=False, values=("bind", "unbind"), aliases=("event",)),
    Column("at", TIMESTAMP, required=True, nullable=False, aliases=("timestamp", "time", "event_time")),
), zone_by="store_id")

BINDING_INTERVALS = TableSchema("bindings", (
    req_id("binding_id", unique=True),
    req_id("store_id", aliases=("shop_id",)),
    req_id("account_id", aliases=("tiktok_user_id",)),
    ACCOUNT_TYPE,
    Column("bound_at", TIMESTAMP, required=True, nullable=False, aliases=("bind_at", "linked_at")),
    Column("unbound_at", TIMESTAMP, aliases=("unbind_at", "unlinked_at")),
), zone_by="store_id", ordered=("bound_at", "unbound_at"))

VIDEOS = TableSchema("videos", (
    req_id("video_id", unique=True, aliases=("id", "item_id")),
    req_id("account_id", aliases=("tiktok_user_id",)),
    Column("posted_at", TIMESTAMP, required=True, nullable=False, aliases=("create_time", "created_at")),
    Column("caption", TEXT, aliases=("video_description", "description", "desc")),
    Column("duration_s", NUMBER, aliases=("duration",)),
    Column("thumbnail", TEXT, aliases=("cover", "cover_image")),
    Column("thumbnail_phash", TEXT),
    Column("frames", LIST),
    Column("music_id", ID),
    Column("hashtags", LIST),
    Column("product_ids", LIST),
))

LIVE_SESSIONS = TableSchema("live_sessions", (
    req_id("live_id", unique=True, aliases=("room_id", "session_id")),
    req_id("account_id", aliases=("tiktok_user_id",)),
    Column("started_at", TIMESTAMP, required=True, nullable=False, aliases=("start_time", "start")),
    Column("ended_at", TIMESTAMP, required=True, aliases=("end_time", "end")),
    Column("title", TEXT),
    Column("product_ids", LIST),
    Column("stream_source", ID, aliases=("stream_key", "encoder", "device")),
), ordered=("started_at", "ended_at"))

PRODUCTS = TableSchema("products", (
    req_id("product_id", unique=True),
    Column("store_id", ID),
    Column("source", ENUM, required=True, nullable=False, values=("shop", "marketplace")),
))

SCHEMAS = {s.name: s for s in (STORES, ACCOUNTS, VIDEOS, LIVE_SESSIONS, PRODUCTS)}


@dataclass
class Validated:
    frame: pd.DataFrame  # the kept rows, typed; column `_row` holds the user's row number
    rows_read: int
    missing_columns: list[str] = field(default_factory=list)


def resolve_columns(schema: TableSchema, raw: RawTable) -> tuple[dict[str, str], list[str]]:
    """Map each schema column to a raw column (by name or alias) -> (mapping, missing required)."""
    mapping, missing = {}, []
    for col in schema.columns:
        for candidate in (col.name, *col.aliases):
            if candidate in raw.columns:
                mapping[col.name] = candidate
                break
        else:
            if col.required:
                missing.append(col.name)
    return mapping, missing


def validate(schema: TableSchema, raw: RawTable, display: str, problems: Problems,
             default_zone: str, store_zones: dict[str, str] | None = None) -> Validated | None:
    """Type every column, collect every problem; None when the table cannot be used."""
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
        ids = raw.columns[mapping[schema.zone_by]].to_pandas()
        zones = ids.map(store_zones).to_numpy(dtype=object, na_value=None)

    def flag(mask: np.ndarray, col: Column, message: str, values: pa.Array | None, skip: bool):
        for i in np.flatnonzero(mask)[:_MAX_PER_COLUMN]:
            v = None if values is None else values[int(i)].as_py()
            problems.add(display, raw.rows[i], raw.original_names.get(mapping.get(col.name), col.name),
                         message + ("; row skipped" if skip else "; value ignored"),
                         value=v if not isinstance(v, list) else "|".join(map(str, v)), level="row" if skip else "value")
        extra = int(mask.sum()) - _MAX_PER_COLUMN
        if extra > 0:
            problems.add(display, None, col.name, f"{extra} more rows with the same problem",
                         level="row" if skip else "value")

    for col in schema.columns:
        if col.name not in mapping:
            data[col.name] = _absent(col, n)
            continue
        arr = raw.columns[mapping[col.name]]
        skip_on_error = col.required and not col.nullable
        if col.kind == LIST:
            data[col.name] = _to_lists(arr, raw.list_native)
            continue
        if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
            # a list where one value belongs: its one element, else the joined text (then
            # reported as not a timestamp, not a number...)
            arr = _empty_to_null(pc.binary_join(arr, "|"))
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
            num = pd.to_numeric(pd.Series(arr.to_pylist(), dtype="object"), errors="coerce").to_numpy(dtype=float, copy=True)
            bad = ~is_null & (np.isnan(num) | ~np.isfinite(num))
            flag(bad, col, "is not a number", arr, skip=False)
            num[bad] = np.nan
            data[col.name] = num
        elif col.kind == ENUM:
            lowered = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
            ok = pc.fill_null(pc.is_in(lowered, value_set=pa.array(col.values)), False).to_numpy(
                zero_copy_only=False)
            bad = ~is_null & ~ok
            flag(bad, col, f"must be one of {', '.join(col.values)}", arr, skip=skip_on_error)
            if skip_on_error:
                drop |= bad
            data[col.name] = pd.array(lowered.to_pylist(), dtype="str") if n else pd.array([], dtype="str")
            data[col.name][bad] = pd.NA
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

    frame = pd.DataFrame(data)
    frame["_row"] = raw.rows

    if schema.ordered:
        start_col, end_col = schema.ordered
        start, end = frame[start_col].to_numpy(), frame[end_col].to_numpy()
        backwards = (start != NO_TIME) & (end != NO_TIME) & (end < start) & ~drop
        col = schema.column(end_col)
        flag(backwards, col, f"'{end_col}' is before '{start_col}'", raw.columns.get(mapping.get(end_col)),
             skip=True)
        drop |= backwards

    for col in schema.columns:
        if col.unique and col.name in mapping:
            values = frame[col.name]
            dup = values.duplicated(keep="first").to_numpy() & ~drop & values.notna().to_numpy()
            if dup.any():
                first_row = dict(zip(values[~values.duplicated(keep="first")], frame["_row"]))
                for i in np.flatnonzero(dup)[:_MAX_PER_COLUMN]:
                    v = values.iloc[i]
                    problems.add(display, raw.rows[i], raw.original_names[mapping[col.name]],
                                 f"duplicate {col.name} (first at row {first_row.get(v)}); row skipped", value=v)
                drop |= dup
    kept = frame.loc[~drop].reset_index(drop=True)
    return Validated(kept, raw.rows_read)


# A broken column of a million rows should not make a million messages.
_MAX_PER_COLUMN = 1000


def _absent(col: Column, n: int):
    if col.kind == TIMESTAMP:
        return np.full(n, NO_TIME, dtype=np.int64)
    if col.kind == NUMBER:
        return np.full(n, np.nan)
    if col.kind == LIST:
        return pd.Series([[] for _ in range(n)], dtype=object) if n else pd.Series([], dtype=object)
    return pd.array([None] * n, dtype="str")


def _to_lists(arr: pa.Array, native: bool) -> pd.Series:
    """`a|b|c` text or native lists -> a Series of Python lists of trimmed, non-empty strings."""
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        values = arr.to_pylist()
        return pd.Series([[str(x).strip() for x in v if x is not None and str(x).strip()] if v else []
                          for v in values], dtype=object)
    split = pc.split_pattern(pc.fill_null(arr, ""), "|").to_pylist()
    return pd.Series([[x.strip() for x in v if x.strip()] for v in split], dtype=object)
