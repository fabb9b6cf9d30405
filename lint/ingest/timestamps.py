"""Timestamps of the three forms in schema.md -> int64 UTC milliseconds, vectorised.

- ISO 8601 with an offset or Z: taken as written.
- ISO 8601 without an offset: local time of the row's zone (the store's, else the run's).
  A local time that a daylight-saving change skips is moved forward by the gap; one that
  it repeats is read as the first (daylight) occurrence.
- A whole number: Unix epoch seconds, or milliseconds from 100000000000 upward.

Beyond schema.md, dates as spreadsheets write them are read as local time too: `01/06/2025
10:00`, `1.6.2025`, `01-06-2025 10:00:30`, `31/12/2025 10.00` in the order of the run's --date-order (`dmy`,
the default, as Indonesian spreadsheets write them, or `mdy`), and `2025/06/01 10:00` (year
first: always year, month, day). ISO 8601 and epoch numbers are not affected by the order.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lint.core.model import NO_TIME
from lint.ingest.reader import trim_whitespace

EPOCH_MS_FROM = 100_000_000_000
# Instants outside this range are almost certainly typos and overflow some libraries.
MIN_MS = int(pd.Timestamp("1970-01-01", tz="UTC").value // 1_000_000)
MAX_MS = int(pd.Timestamp("2200-01-01", tz="UTC").value // 1_000_000)

_WHOLE = r"^[+-]?\d{1,19}$"
_WITH_OFFSET = r"[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"


# Text dates with "/", "." or "-" between day, month and a four-digit year, and an optional
# time (H:MM or H:MM:SS); and year-first dates with "/" or ".".
# ... and the time as H:MM[:SS], or H.MM[.SS] as Indonesian writes it ("31/12/2025 10.00")
_TIME = r"(?:,?[ T]+(?P<d>\d{1,2})[:.](?P<e>\d{2})(?:[:.](?P<f>\d{2}))?)?$"
_DAY_MONTH_YEAR = r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{4})" + _TIME
_YEAR_FIRST = r"^(?P<a>\d{4})[/.](?P<b>\d{1,2})[/.](?P<c>\d{1,2})/?" + _TIME
DATE_ORDERS = ("dmy", "mdy")
_DATE_ORDER: ContextVar[str] = ContextVar("shoplint_date_order", default="dmy")


_RUN_INSTANT: ContextVar[int | None] = ContextVar("shoplint_run_instant", default=None)


@contextmanager
def _within(var: ContextVar, value):
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)


def date_order(order: str):
    """Read day/month text dates in `order` ("dmy" or "mdy") inside the block (a context manager)."""
    if order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}")
    return _within(_DATE_ORDER, order)


def run_instant(ms: int | None):
    """The run's --as-of (UTC ms) inside the block (a context manager): what a date without a
    year is read against when its file says nothing else (lint.ingest.shapes.studio)."""
    return _within(_RUN_INSTANT, ms)


def current_run_instant() -> int | None:
    """The run's --as-of while reading (run_instant), else None."""
    return _RUN_INSTANT.get()


def current_date_order() -> str:
    """The date order text dates are read in here (lint.engines pass it to workers)."""
    return _DATE_ORDER.get()


def _spreadsheet_dates(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """-> (wall-clock ms as float, NaN where not a spreadsheet date or not a real date;
    matched: bool) for trimmed text."""
    n = len(text)
    wall = np.full(n, np.nan)
    matched = np.zeros(n, dtype=bool)
    for pattern, year_first in ((_DAY_MONTH_YEAR, False), (_YEAR_FIRST, True)):
        is_it = pc.fill_null(pc.match_substring_regex(text, pattern), False).to_numpy(zero_copy_only=False)
        is_it &= ~matched
        if not is_it.any():
            continue
        idx = np.flatnonzero(is_it)
        parts = pc.extract_regex(text.take(pa.array(idx)), pattern)
        fields = [pc.cast(pc.if_else(pc.equal(parts.field(k), ""), "0", parts.field(k)), pa.int64()
                          ).to_numpy(zero_copy_only=False) for k in "abcdef"]
        if year_first:
            year, month, day = fields[0], fields[1], fields[2]
        elif _DATE_ORDER.get() == "mdy":
            month, day, year = fields[0], fields[1], fields[2]
        else:
            day, month, year = fields[0], fields[1], fields[2]
        hour, minute, second = fields[3], fields[4], fields[5]
        ok = ((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (hour <= 23) & (minute <= 59)
              & (second <= 59) & (year >= 1900) & (year <= 2199))
        months = (year - 1970) * 12 + (month - 1)
        first = np.where(ok, months, 0).astype("datetime64[M]").astype("datetime64[D]")
        date = first + (np.where(ok, day, 1) - 1).astype("timedelta64[D]")
        ok &= date.astype("datetime64[M]") == first.astype("datetime64[M]")  # 31 April is no date
        ms = date.astype("datetime64[ms]").astype(np.int64) + ((hour * 60 + minute) * 60 + second) * 1000
        wall[idx[ok]] = ms[ok]
        matched[idx] = True
    return wall, matched


def valid_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    # IANA names are short ASCII paths; anything else is not one (and a very long or odd
    # name must not reach the file system: ZoneInfo opens a file named after it).
    if not isinstance(name, str) or not 0 < len(name) <= 64 or not name.isascii() or not name.isprintable():
        return False
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError, UnicodeError):
        return False


def parse_instants(values: pa.Array, zones: np.ndarray | None, default_zone: str):
    """-> (ms: int64 array with NO_TIME where missing or bad, bad: bool array).

    `zones` gives the zone name for each row's naive timestamps (None/"" = default_zone).
    """
    n = len(values)
    out = np.full(n, NO_TIME, dtype=np.int64)
    bad = np.zeros(n, dtype=bool)
    if n == 0:
        return out, bad
    if pa.types.is_timestamp(values.type):
        return _from_arrow_timestamps(values, zones, default_zone)
    text = trim_whitespace(values.cast(pa.string()))
    present = text.is_valid().to_numpy(zero_copy_only=False)

    # The common layouts (YYYY-MM-DDTHH:MM:SS with +HH:MM, Z or nothing) straight from the
    # bytes; every other text, and any value the fast path is not sure of, goes the general
    # way below, so the result is the same as that way's for every input.
    fast_ms, fast_naive, done = _fast_iso(text)
    if done.any():
        out[done & ~fast_naive] = fast_ms[done & ~fast_naive]
        naive_done = np.flatnonzero(done & fast_naive)
        if len(naive_done):
            out[naive_done] = _localise(fast_ms[naive_done], None if zones is None else zones[naive_done],
                                        default_zone)
        present = present & ~done
        if not present.any():
            return _in_range(out, bad)
        left = np.flatnonzero(present)
        fell_back = []
        sub_out, sub_bad = _parse_general(text.take(pa.array(left)), zones[left] if zones is not None else None,
                                          default_zone, fell_back)
        if not fell_back:
            out[left], bad[left] = sub_out, sub_bad
            return _in_range(out, bad)
        # The general parser read a batch value by value (a batch it cannot take whole), which
        # can change how the batch's other values read: read every value that way, as before.
    out, bad = _parse_general(text, zones, default_zone)
    return _in_range(out, bad)


def _parse_general(text: pa.Array, zones, default_zone: str, fell_back: list | None = None):
    """The general way for trimmed text (nulls: missing) -> (ms, bad), before the range check."""
    n = len(text)
    out = np.full(n, NO_TIME, dtype=np.int64)
    bad = np.zeros(n, dtype=bool)
    present = text.is_valid().to_numpy(zero_copy_only=False)
    whole = pc.fill_null(pc.match_substring_regex(text, _WHOLE), False).to_numpy(zero_copy_only=False)
    if whole.any():
        idx = np.flatnonzero(whole)
        try:
            numbers = pc.cast(text.take(pa.array(idx)), pa.int64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:  # beyond int64
            numbers = None
        if numbers is None:
            bad[idx] = True
        else:
            out[idx] = np.where(np.abs(numbers) >= EPOCH_MS_FROM, numbers, numbers * 1000)

    rest = present & ~whole
    if rest.any():
        wall, sheet = _spreadsheet_dates(text)
        sheet &= rest
        if sheet.any():
            idx = np.flatnonzero(sheet)
            ok = ~np.isnan(wall[idx])
            bad[idx[~ok]] = True
            good = idx[ok]
            if len(good):
                out[good] = _localise(wall[good].astype(np.int64), None if zones is None else zones[good],
                                      default_zone)
            rest = rest & ~sheet
    if rest.any():
        with_offset = pc.fill_null(pc.match_substring_regex(text, _WITH_OFFSET), False).to_numpy(
            zero_copy_only=False) & rest
        naive = rest & ~with_offset
        if with_offset.any():
            idx = np.flatnonzero(with_offset)
            parsed = _to_datetime(text.take(pa.array(idx)), utc=True, fell_back=fell_back)
            ok = ~np.isnan(parsed)
            out[idx[ok]] = parsed[ok]
            bad[idx[~ok]] = True
        if naive.any():
            idx = np.flatnonzero(naive)
            parsed = _to_datetime(text.take(pa.array(idx)), utc=False, fell_back=fell_back)
            ok = ~np.isnan(parsed)
            bad[idx[~ok]] = True
            good = idx[ok]
            if len(good):
                row_zones = None if zones is None else zones[good]
                out[good] = _localise(parsed[ok], row_zones, default_zone)
    return out, bad


def _in_range(out: np.ndarray, bad: np.ndarray):
    # Out-of-range instants are treated as unparseable (they are typos, not data).
    in_range = (out >= MIN_MS) & (out <= MAX_MS)
    fail = (out != NO_TIME) & ~in_range
    bad |= fail
    out[bad] = NO_TIME
    return out, bad


# Byte layouts the fast path reads: length -> what follows the seconds.
_FAST_LAYOUTS = {19: "", 20: "Z", 25: "+HH:MM"}
_DIGITS_AT = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_CUMULATIVE_DAYS32 = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], dtype=np.int32)
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def _fast_iso(text: pa.Array):
    """-> (ms, naive, done): the values of the rows in a fixed layout whose fields are all in
    range (years 1900-2299, offsets up to 14 h), as UTC ms or (naive) wall-clock ms; `done`
    False for every other row (the general parser decides those)."""
    n = len(text)
    ms = np.zeros(n, dtype=np.int64)
    naive = np.zeros(n, dtype=bool)
    done = np.zeros(n, dtype=bool)
    if n == 0 or not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        return ms, naive, done
    lengths = pc.fill_null(pc.binary_length(text), 0).to_numpy(zero_copy_only=False)
    for length, tail in _FAST_LAYOUTS.items():
        rows = np.flatnonzero(lengths == length)
        if not len(rows):
            continue
        picked = text.take(pa.array(rows)) if len(rows) < n else text
        offsets_type = np.int64 if pa.types.is_large_string(picked.type) else np.int32
        buffers = picked.buffers()
        offsets = np.frombuffer(buffers[1], dtype=offsets_type)[picked.offset:picked.offset + len(rows) + 1]
        start = int(offsets[0])
        if int(offsets[-1]) - start != length * len(rows):
            continue  # not one fixed-width block (cannot happen with these lengths; be sure)
        b = np.frombuffer(buffers[2], dtype=np.uint8)[start:start + length * len(rows)].reshape(len(rows), length)
        dig = b - np.uint8(48)  # a digit's value; any other byte wraps to more than 9
        ok = (dig[:, _DIGITS_AT] <= 9).all(axis=1)
        ok &= (b[:, 4] == 45) & (b[:, 7] == 45) & (b[:, 13] == 58) & (b[:, 16] == 58)
        ok &= (b[:, 10] == 84) | (b[:, 10] == 32)  # T or a space

        def two(i: int) -> np.ndarray:
            return dig[:, i].astype(np.int32) * 10 + dig[:, i + 1]
        year = two(0) * 100 + two(2)
        month, day, hour, minute, second = two(5), two(8), two(11), two(14), two(17)
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        m0 = np.clip(month - 1, 0, 11)
        month_days = _MONTH_DAYS[m0] + ((m0 == 1) & leap)
        ok &= (year >= 1900) & (year <= 2299) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
        ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
        offset_min = 0
        if tail == "Z":
            ok &= b[:, 19] == 90
        elif tail:
            ok &= (dig[:, [20, 21, 23, 24]] <= 9).all(axis=1) & ((b[:, 19] == 43) | (b[:, 19] == 45)) & (b[:, 22] == 58)
            oh, om = two(20), two(23)
            ok &= (oh <= 14) & (om <= 59)
            offset_min = np.where(b[:, 19] == 45, -1, 1) * (oh * 60 + om)
        # days since 1970-01-01 of a proleptic Gregorian date
        y1 = year - 1
        days = (year - 1970) * 365 + (y1 // 4 - 1969 // 4) - (y1 // 100 - 1969 // 100) + (y1 // 400 - 1969 // 400)
        days += _CUMULATIVE_DAYS32[m0] + ((month > 2) & leap) + day - 1
        minutes = (days.astype(np.int64) * 24 + hour) * 60 + minute - offset_min
        value = minutes * 60_000 + second * 1000
        ms[rows[ok]] = value[ok]
        done[rows[ok]] = True
        naive[rows[ok]] = tail == ""
    return ms, naive, done


def _to_datetime(strings: pa.Array, utc: bool, fell_back: list | None = None) -> np.ndarray:
    """-> float array of UTC ms (or naive wall-clock ms), NaN where unparseable. Appends to
    `fell_back` when the batch had to be read value by value."""
    s = pd.Series(strings.to_pylist(), dtype="object").str.replace(",", ".", regex=False)
    try:
        parsed = pd.to_datetime(s, format="ISO8601", utc=utc, errors="coerce")
    except (ValueError, OverflowError, TypeError):
        if fell_back is not None:
            fell_back.append(utc)
        parsed = pd.Series([_one(v, utc) for v in s])
        parsed = pd.to_datetime(parsed, utc=utc, errors="coerce")
    if utc:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    values = parsed.to_numpy(dtype="datetime64[ms]", na_value=np.datetime64("NaT"))
    ms = values.astype(np.int64).astype(np.float64)
    ms[np.isnat(values)] = np.nan
    return ms


def _one(v, utc):
    try:
        return pd.to_datetime(v, format="ISO8601", utc=utc)
    except (ValueError, OverflowError, TypeError):
        return pd.NaT


def _localise(wall_ms: np.ndarray, zones: np.ndarray | None, default_zone: str) -> np.ndarray:
    """Naive wall-clock ms -> UTC ms, one vectorised call per distinct zone."""
    wall = wall_ms.astype(np.int64)
    if zones is None:
        zone_of_row = np.full(len(wall), default_zone, dtype=object)
    else:
        zone_of_row = np.where(pd.isna(zones) | (zones == ""), default_zone, zones).astype(object)
    result = np.empty(len(wall), dtype=np.int64)
    for zone in pd.unique(zone_of_row):
        mask = zone_of_row == zone
        local = pd.DatetimeIndex(wall[mask].astype("datetime64[ms]"))
        aware = local.tz_localize(zone, ambiguous=np.ones(mask.sum(), dtype=bool),
                                  nonexistent="shift_forward")
        result[mask] = aware.tz_convert("UTC").tz_localize(None).as_unit("ms").asi8
    return result


def _from_arrow_timestamps(values: pa.Array, zones, default_zone):
    n = len(values)
    bad = np.zeros(n, dtype=bool)
    ms = pc.cast(values, pa.timestamp("ms", tz=values.type.tz)) if values.type.unit != "ms" else values
    raw = ms.cast(pa.int64()).to_numpy(zero_copy_only=False)
    valid = values.is_valid().to_numpy(zero_copy_only=False)
    out = np.full(n, NO_TIME, dtype=np.int64)
    if values.type.tz:
        out[valid] = raw[valid]
    elif valid.any():
        idx = np.flatnonzero(valid)
        out[idx] = _localise(raw[idx].astype(np.float64), None if zones is None else zones[idx], default_zone)
    return out, bad


def local_datetime(ms: int, zone: str):
    """UTC ms -> an aware datetime in `zone` (zoneinfo: microseconds a call where a pandas
    Timestamp takes tens; a report formats two per finding)."""
    try:
        return (_EPOCH + timedelta(milliseconds=int(ms))).astimezone(_zoneinfo(zone))
    except (OverflowError, ValueError, KeyError, ZoneInfoNotFoundError):
        return pd.Timestamp(int(ms), unit="ms", tz="UTC").tz_convert(zone)


def format_instants(ms, zone: str) -> list[str]:
    """format_instant of many instants of one zone at once (vectorised: reports with many)."""
    ms = np.asarray(ms, dtype=np.int64)
    if len(ms) == 0:
        return []
    utc = pd.DatetimeIndex(pd.to_datetime(ms, unit="ms", utc=True))
    wall = utc.tz_convert(zone).tz_localize(None).to_numpy().astype("datetime64[ms]")
    offset_s = (wall.astype(np.int64) - ms) // 1000
    whole = np.datetime_as_string(wall, unit="s")
    exact = np.datetime_as_string(wall, unit="ms")
    names = {}
    for off in np.unique(offset_s).tolist():
        sign = "-" if off < 0 else "+"
        minutes, secs = divmod(abs(int(off)), 60)
        h, m = divmod(minutes, 60)
        names[off] = f"{sign}{h:02d}:{m:02d}" + (f":{secs:02d}" if secs else "")
    has_ms = (ms % 1000) != 0
    return [(exact[i] if has_ms[i] else whole[i]) + names[o] for i, o in enumerate(offset_s.tolist())]


def format_instant(ms: int, zone: str) -> str:
    """UTC ms -> ISO 8601 with the zone's offset; milliseconds only when not zero."""
    return local_datetime(ms, zone).isoformat(timespec="milliseconds" if ms % 1000 else "seconds")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@lru_cache(maxsize=256)
def _zoneinfo(zone: str) -> ZoneInfo:
    return ZoneInfo(zone)
