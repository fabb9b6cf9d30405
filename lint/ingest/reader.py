"""Read one table file into a raw table: every scalar column as strings, list columns as lists.

Row numbers are reported the way the user finds the row again:
- CSV/TSV/XLSX: the spreadsheet row, the header being row 1 (first data row = 2);
- JSONL/NDJSON: the line number in the file (1-based);
- JSON: the record's position in the array, counting from 1;
- Parquet: the record's position in the file, counting from 1.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lint.core.model import Problems
from lint.ingest.limits import env_int

TEXT_FORMATS = {".csv", ".tsv"}
FORMATS = (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet", ".xlsx")


class UnreadableFile(Exception):
    """The file cannot be used at all; the message says why."""


# Limits on one table file (docs/inputs.md, section 6), checked before or while reading so
# that a file built to expand (a sparse spreadsheet, millions of tiny rows, a wide header)
# is refused before it takes the memory: each one can be changed with SHOPLINT_<NAME>.
TABLE_MAX_ROWS = env_int("TABLE_MAX_ROWS", 1_200_000)  # SHOPLINT_TABLE_MAX_ROWS
TABLE_MAX_CELLS = env_int("TABLE_MAX_CELLS", 12_000_000)  # SHOPLINT_TABLE_MAX_CELLS: rows x columns
TABLE_MAX_BYTES = env_int("TABLE_MAX_BYTES", 192 * 1024**2)  # SHOPLINT_TABLE_MAX_BYTES: text or unpacked bytes


class TooLarge(UnreadableFile):
    """The file is over one of the table limits; the message names the limit and its setting."""


def _too_many(what: str, count, limit: int, variable: str, at_least: bool = False) -> TooLarge:
    more = "more than " if at_least else ""
    return TooLarge(f"is too large: {more}{count:,} {what} (limit {limit:,}, set by {variable}); "
                    "split the table into several exports or raise the limit")


def check_rows_cells(rows: int, columns: int, at_least: bool = False) -> None:
    """TooLarge when `rows` data rows of `columns` columns are over the row or cell limit."""
    if rows > TABLE_MAX_ROWS:
        raise _too_many("rows", rows if not at_least else TABLE_MAX_ROWS, TABLE_MAX_ROWS,
                        "SHOPLINT_TABLE_MAX_ROWS", at_least)
    if rows * max(columns, 1) > TABLE_MAX_CELLS:
        raise _too_many(f"cells ({rows:,} rows x {columns:,} columns)" if not at_least else "cells",
                        rows * max(columns, 1) if not at_least else TABLE_MAX_CELLS, TABLE_MAX_CELLS,
                        "SHOPLINT_TABLE_MAX_CELLS", at_least)


def check_bytes(size: int, what: str = "bytes") -> None:
    """Raise TooLarge when a table's `size` passes SHOPLINT_TABLE_MAX_BYTES."""
    if size > TABLE_MAX_BYTES:
        raise _too_many(what, size, TABLE_MAX_BYTES, "SHOPLINT_TABLE_MAX_BYTES")


def read_bytes_bounded(path: Path) -> bytes:
    """The file's bytes, refused (TooLarge) before reading when it is over the byte limit."""
    check_bytes(path.stat().st_size)
    with open(path, "rb") as f:
        data = f.read(TABLE_MAX_BYTES + 1)
    check_bytes(len(data))  # a file that grew while being read
    return data


@dataclass
class RawTable:
    """Columns keyed by their normalised name (lower case, trimmed)."""

    columns: dict[str, pa.Array]  # pa.string() or pa.list_(pa.string()) or pa.timestamp
    rows: np.ndarray  # the user's row number of each record
    original_names: dict[str, str]  # normalised -> as written in the file
    list_native: bool  # lists come as real lists (JSON, Parquet) rather than "a|b" strings
    # Data rows the reader itself had to skip (each one is listed as an input error): a CSV
    # row with the wrong number of fields, a JSONL line that is not a JSON object...
    skipped: int = 0

    @property
    def num_rows(self) -> int:
        return len(self.rows)

    @property
    def rows_read(self) -> int:
        """Every data row of the file: the ones here and the ones the reader skipped."""
        return len(self.rows) + self.skipped


def normalise_name(name) -> str:
    """A column name as columns are keyed: trimmed and lower case."""
    return str(name).strip().lower()


def read_table(path: Path, display: str, problems: Problems) -> RawTable:
    """Read `path`; raise UnreadableFile for a file that cannot be used at all."""
    ext = path.suffix.lower()
    try:
        if ext in TEXT_FORMATS:
            return _read_delimited(path, display, problems)
        if ext in (".jsonl", ".ndjson"):
            return _read_jsonl(path, display, problems)
        if ext == ".json":
            return _read_json(path, display, problems)
        if ext == ".parquet":
            return _read_parquet(path)
        if ext == ".xlsx":
            return _read_xlsx(path)
    except UnreadableFile:
        raise
    except (OSError, ValueError, pa.ArrowException) as e:
        raise UnreadableFile(f"cannot be read as {ext[1:].upper()}: {short_reason(e)}") from None
    raise UnreadableFile(f"unsupported file type '{ext}' (use one of {', '.join(FORMATS)})")


def short_reason(e: Exception) -> str:
    """An exception's first line (at most 300 characters): what a message quotes of it."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:300]


# --- CSV / TSV -------------------------------------------------------------------------

def _decode_to_utf8(data: bytes, display: str, problems: Problems) -> bytes:
    """UTF-8 (with or without BOM) passes through; UTF-16 and cp1252 are converted, with a warning."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        problems.add(display, None, None, "file is UTF-16 (Excel 'Unicode text'); read as UTF-16",
                     level="warning")
        return data.decode("utf-16").encode("utf-8")
    try:
        _check_utf8(data)
    except UnicodeDecodeError as e:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(f"is not UTF-8 text (invalid byte at offset {e.start})") from None
        problems.add(display, None, None,
                     f"file is not UTF-8 (invalid byte at offset {e.start}); read as Windows-1252",
                     level="warning")
        return text.encode("utf-8")
    return data


def _check_utf8(data: bytes, chunk: int = 1 << 20):
    """Raise UnicodeDecodeError (with its offset in `data`) unless `data` is UTF-8; in
    chunks, so that a large file is not held twice (bytes and str) just to be checked.
    Arrow's validator (over the bytes in place, 20x faster) passes the common valid file;
    anything it refuses is decoded as before, which raises with the offset."""
    if _arrow_valid_utf8(data):
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in [*range(0, len(data), chunk), len(data)]:
        pending = len(decoder.getstate()[0])  # bytes of an unfinished character carried over
        try:
            decoder.decode(view[start:start + chunk], final=start >= len(data))
        except UnicodeDecodeError as e:
            at = start - pending + e.start
            raise UnicodeDecodeError("utf-8", data, at, at + 1, e.reason) from None


def _arrow_valid_utf8(data: bytes) -> bool:
    """Whether Arrow's UTF-8 validation passes `data` (one large_string value over the bytes,
    no copy). It refuses what Python's strict decoder refuses: overlong forms, surrogates,
    past U+10FFFF, truncated sequences (tests/test_utf8_check.py)."""
    offsets = pa.array([0, len(data)], type=pa.int64())
    value = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets.buffers()[1], pa.py_buffer(data)])
    try:
        value.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _sniff_delimiter(header: str, default: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else default


def _read_delimited(path: Path, display: str, problems: Problems) -> RawTable:
    data = _decode_to_utf8(read_bytes_bounded(path), display, problems)
    if not data or data.isspace():  # (not data.strip(): the same test, without copying the file)
        raise UnreadableFile("is empty (no header row)")
    # the header is the first line, whatever ends it (\n, \r\n, or \r alone as old Mac files)
    end = re.search(rb"\r\n|\n|\r", data)  # (re.split copied the rest of the file)
    first_line = (data[:end.start()] if end else data).decode("utf-8")
    delimiter = _sniff_delimiter(first_line, "\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error as e:
        raise UnreadableFile(f"has a header row that cannot be read ({e})") from None
    names = [h.strip() for h in header]
    if not any(names):
        raise UnreadableFile("has an empty header row")
    unique = _dedupe_names(names, display, problems)
    _check_delimited_size(data, delimiter, len(unique))

    bad_rows: list = []

    def on_invalid(row):
        bad_rows.append(row)
        return "skip"

    def read(threads: bool) -> pa.Table:
        return pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(use_threads=threads, column_names=unique, skip_rows=1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in unique},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )

    table = read(True)
    rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
    if bad_rows:
        # Threaded reading does not number skipped rows; read again in order to name them.
        bad_rows.clear()
        table = read(False)
        bad_numbers = [r.number for r in bad_rows if r.number is not None]
        for r in bad_rows:
            if not r.text.strip():
                continue  # a line of spaces or tabs only: a blank line, not a row
            problems.add(display, r.number, None,
                         f"has {r.actual_columns} fields where the header has {r.expected_columns}; row skipped",
                         value=r.text)
        rows = np.setdiff1d(np.arange(2, table.num_rows + len(bad_rows) + 2, dtype=np.int64),
                            np.asarray(bad_numbers, dtype=np.int64))[: table.num_rows]
    # Empty cells are missing values; a blank line reads as a row of them and is dropped.
    columns = {normalise_name(n): _empty_to_null(table.column(n).combine_chunks())
               for n in unique if n and "__dup" not in n}
    if columns and table.num_rows:
        blank = np.ones(table.num_rows, dtype=bool)
        for arr in columns.values():
            blank &= arr.is_null().to_numpy(zero_copy_only=False)
        if blank.any():
            keep = pa.array(~blank)
            columns = {k: v.filter(keep) for k, v in columns.items()}
            rows = rows[~blank]
    return RawTable(columns, rows, {normalise_name(n): n for n in unique if n and "__dup" not in n},
                    list_native=False, skipped=sum(1 for r in bad_rows if r.text.strip()))


def _check_delimited_size(data: bytes, delimiter: str, columns: int) -> None:
    """Refuse a delimited file over the row or cell limit before it is parsed into columns.
    Line ends bound the row count from above (a quoted value may hold line breaks): only when
    that bound is over the limit are the rows counted exactly, in a streaming pass that keeps
    no more than one block and stops as soon as the limit is passed."""
    check_rows_cells(1, columns)  # a header wider than the cell limit on its own
    lines = max(data.count(b"\n"), data.count(b"\r") if b"\r" in data else 0)  # (`in`: memchr, no count)
    try:
        check_rows_cells(lines, columns)
        return
    except TooLarge:
        pass
    limit = min(TABLE_MAX_ROWS, TABLE_MAX_CELLS // max(columns, 1))
    reader = pacsv.open_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(use_threads=False, column_names=[f"c{i}" for i in range(columns)],
                                       skip_rows=1, block_size=1 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                         invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(column_types={f"c{i}": pa.string() for i in range(columns)}))
    rows = 0
    for batch in reader:
        rows += batch.num_rows
        if rows > limit:
            check_rows_cells(rows, columns, at_least=True)


def _dedupe_names(names: list[str], display: str, problems: Problems) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        key = normalise_name(n)
        if key in seen:
            problems.add(display, 1, n, f"column name repeated (column {i + 1}); the first one is used",
                         level="warning")
            out.append(f"{n}__dup{i}")
            continue
        seen[key] = i
        out.append(n if n else f"__unnamed{i}")
    return out


def _empty_to_null(arr: pa.Array) -> pa.Array:
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        return arr
    stripped = trim_whitespace(arr)
    empty = pc.equal(pc.binary_length(stripped), 0)  # no characters is no bytes (40x cheaper than utf8_length)
    if not pc.any(empty).as_py():
        return stripped  # nothing to null (most columns): no copy through if_else
    return pc.if_else(empty, pa.scalar(None, arr.type), stripped)


# --- JSON ------------------------------------------------------------------------------

def _read_jsonl(path: Path, display: str, problems: Problems) -> RawTable:
    data = _decode_to_utf8(read_bytes_bounded(path), display, problems)
    fast = _read_jsonl_arrow(data)
    if fast is not None:
        return fast
    text = data.decode("utf-8")
    del data
    records, rows, skipped, cells = [], [], 0, 0
    # \n, \r\n or \r end a line (JSON text never holds them unescaped); str.splitlines()
    # would also break at U+2028, U+0085, form feeds..., which JSON strings may hold as is.
    for n, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            problems.add(display, n, None, f"is not valid JSON ({e.msg}); line skipped", value=line)
            skipped += 1
            continue
        if not isinstance(obj, dict):
            problems.add(display, n, None, "is not a JSON object; line skipped", value=line)
            skipped += 1
            continue
        records.append(obj)
        rows.append(n)
        cells += len(obj)
        if len(records) > TABLE_MAX_ROWS:  # stop reading at the limit
            check_rows_cells(len(records), 1, at_least=True)
        if cells > TABLE_MAX_CELLS:
            raise _too_many("cells", TABLE_MAX_CELLS, TABLE_MAX_CELLS, "SHOPLINT_TABLE_MAX_CELLS", True)
    raw = _from_records(records, np.asarray(rows, dtype=np.int64), display, problems)
    raw.skipped = skipped
    return raw


# A value whose first and last characters are printable ASCII other than a space reads the
# same trimmed by Arrow or by Python; any other value is trimmed the Python way (str.strip).
_UNTRIMMED = r"^[^\x21-\x7e]|[^\x21-\x7e]$"


def ends_printable(arr: pa.Array) -> bool:
    """Whether every value of a string array (nulls aside) is empty or begins and ends with
    a printable ASCII character other than a space, so that trimming whitespace keeps it as
    it is. Read from the first and last byte of each value (no copy of the strings)."""
    if not isinstance(arr, pa.Array):
        return False  # (a ChunkedArray: trimmed the general way)
    large = pa.types.is_large_string(arr.type)
    if not (large or pa.types.is_string(arr.type)):
        return False
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return True
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if large else np.int32)[arr.offset:arr.offset + n + 1]
    if buffers[2] is None:
        return True  # every value empty
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    have = ends > starts
    if arr.null_count:
        have &= arr.is_valid().to_numpy(zero_copy_only=False)
    # a byte outside 0x21-0x7e wraps, after subtracting 0x21, past 0x5d
    low, span = np.uint8(0x21), np.uint8(0x7E - 0x21)
    return bool(((data[starts[have]] - low) <= span).all() and ((data[ends[have] - 1] - low) <= span).all())


def trim_whitespace(arr: pa.Array) -> pa.Array:
    """pc.utf8_trim_whitespace(arr), without the copy when no value has anything to trim."""
    return arr if ends_printable(arr) else pc.utf8_trim_whitespace(arr)


def untrimmed_positions(arr: pa.Array) -> np.ndarray:
    """The positions of the values whose first or last character is not printable ASCII
    (_UNTRIMMED): those a Python str.strip may read otherwise than Arrow's trim. The regex
    runs only when some value has such an end."""
    if ends_printable(arr):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(pc.fill_null(pc.match_substring_regex(arr, _UNTRIMMED), False).to_numpy(
        zero_copy_only=False))


def _read_jsonl_arrow(data: bytes) -> RawTable | None:
    """The common JSONL file (one flat object of text values per line, no blank line, \n line
    ends, within the table limits) read by pyarrow's multithreaded JSON reader; None for any
    other file, which the line-by-line reader then reads with its messages and row numbers."""
    import pyarrow.json as pajson
    if not data or b"\r" in data:
        return None
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines > TABLE_MAX_ROWS:
        return None
    try:
        table = pajson.read_json(io.BytesIO(data), read_options=pajson.ReadOptions(use_threads=True,
                                                                                   block_size=1 << 24))
    except (pa.ArrowException, ValueError, OverflowError):
        return None
    names = table.column_names
    keys = [normalise_name(n) for n in names]
    if (table.num_rows != lines or len(set(keys)) != len(keys) or table.num_rows * len(names) > TABLE_MAX_CELLS
            or not all(pa.types.is_string(t) or pa.types.is_null(t) for t in table.schema.types)):
        return None
    columns = {}
    for key, name in zip(keys, names):
        arr = table.column(name).combine_chunks()
        if pa.types.is_null(arr.type):
            arr = pa.nulls(len(arr), pa.string())
        odd = untrimmed_positions(arr)
        text = _empty_to_null(arr)
        if len(odd):
            mask = np.zeros(len(arr), dtype=bool)
            mask[odd] = True
            fixed = pa.array([_scalar_text(v) for v in arr.take(pa.array(odd)).to_pylist()], type=pa.string())
            text = pc.replace_with_mask(text, pa.array(mask), fixed)
        columns[key] = text
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return RawTable(columns, rows, dict(zip(keys, names)), list_native=True)


def read_json_document(path: Path, display: str, problems: Problems):
    """The parsed JSON value of a `.json` file; UnreadableFile if it is not JSON."""
    try:
        data = _decode_to_utf8(read_bytes_bounded(path), display, problems)
    except OSError as e:
        raise UnreadableFile(f"cannot be read ({e.strerror or e})") from None
    # A JSON document is parsed whole, into objects far larger than its text: refuse one with
    # more values than the cell limit before parsing (every value but the last of an array or
    # an object is followed by a comma, so commas + 1 bound the values from above).
    values = data.count(b",") + 1
    if values > TABLE_MAX_CELLS:
        raise _too_many("values", values, TABLE_MAX_CELLS, "SHOPLINT_TABLE_MAX_CELLS")
    text = data.decode("utf-8")
    del data
    try:
        return json.loads(text)
    except ValueError as e:
        raise UnreadableFile(f"is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise UnreadableFile("is not valid JSON (nested too deeply)") from None


def _read_json(path: Path, display: str, problems: Problems) -> RawTable:
    return table_from_json_document(read_json_document(path, display, problems), display, problems)


def table_from_json_document(doc, display: str, problems: Problems) -> RawTable:
    """An array of records, or an object with the array under `data` -> RawTable."""
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    if not isinstance(doc, list):
        raise UnreadableFile("must hold a JSON array of objects, or an object with the array under 'data'")
    check_rows_cells(len(doc), 1)
    records, rows, skipped = json_objects(doc, display, problems, "record")
    raw = _from_records(records, np.asarray(rows, dtype=np.int64), display, problems)
    raw.skipped = skipped
    return raw


def json_objects(items: list, display: str, problems: Problems, what: str) -> tuple[list[dict], list[int], int]:
    """The objects of a JSON array with their positions (counting from 1), and how many items
    were skipped: anything that is not an object is an input error of its position."""
    records, rows = [], []
    for n, obj in enumerate(items, start=1):
        if isinstance(obj, dict):
            records.append(obj)
            rows.append(n)
        else:
            problems.add(display, n, None, f"{what} is not a JSON object; skipped",
                         value=json.dumps(obj, ensure_ascii=False)[:200])
    return records, rows, len(items) - len(records)


def _scalar_text(v) -> str | None:
    """A JSON/XLSX scalar as the text the user wrote (1741608000.0 -> '1741608000')."""
    if type(v) is str:  # by far the most common: first, and without the isinstance chain
        return v.strip() or None
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 2**63 else repr(v)
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    text = str(v).strip()
    return text or None


def _from_records(records: list[dict], rows: np.ndarray, display: str, problems: Problems) -> RawTable:
    names: dict[str, str] = {}
    seen: set = set()  # keys as written: normalised once each, not once per record
    for obj in records:
        for k in obj:
            if k in seen:
                continue
            seen.add(k)
            key = normalise_name(k)
            if key not in names:
                names[key] = str(k)
    # every distinct key is a column as long as the table: records that each bring new keys
    # would make a table of rows x keys cells, nearly all empty (checked before it is built)
    check_rows_cells(len(records), len(names))
    columns: dict[str, pa.Array] = {}
    for key, original in names.items():
        values = [obj[original] if original in obj else _lookup(obj, key, original) for obj in records]
        if any(isinstance(v, list) for v in values):
            columns[key] = pa.array(
                [None if v is None else ([_scalar_text(x) for x in v] if isinstance(v, list) else [_scalar_text(v)])
                 for v in values], type=pa.list_(pa.string()))
        else:
            columns[key] = pa.array([_scalar_text(v) for v in values], type=pa.string())
    return RawTable(columns, rows, names, list_native=True)


def _lookup(obj: dict, key: str, original: str):
    if original in obj:
        return obj[original]
    for k, v in obj.items():
        if normalise_name(k) == key:
            return v
    return None


# --- Parquet ---------------------------------------------------------------------------

def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq
    try:
        meta = pq.ParquetFile(path).metadata  # counts and sizes from the footer, before any data
        check_rows_cells(meta.num_rows, meta.num_columns)
        check_bytes(sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)), "bytes unpacked")
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as e:
        raise UnreadableFile(f"is not a readable Parquet file ({short_reason(e)})") from None
    return parquet_raw(table)


def parquet_raw(table: pa.Table, first_row: int = 1) -> RawTable:
    """A Parquet table -> RawTable; `first_row` is the row number of its first record (a slice of
    row groups read on a Dask worker starts further down the file: lint.engines.dask.session)."""
    for name in table.column_names:
        # a damaged file can decode to text that is not UTF-8 or to broken offsets; both
        # would fail (or worse) later, so check every column once, here
        try:
            table.column(name).validate(full=True)
        except pa.ArrowException as e:
            raise UnreadableFile(f"is damaged: column '{name}' does not hold valid data ({short_reason(e)})") from None
    columns, names = {}, {}
    for name in table.column_names:
        key = normalise_name(name)
        if key in columns:
            continue
        arr = table.column(name).combine_chunks()
        columns[key] = _native_to_text(arr)
        names[key] = name
    rows = np.arange(first_row, first_row + table.num_rows, dtype=np.int64)
    return RawTable(columns, rows, names, list_native=True)


def _native_to_text(arr: pa.Array) -> pa.Array:
    """Typed Parquet columns -> the shapes the schema layer expects."""
    t = arr.type
    if pa.types.is_timestamp(t):
        return arr  # parsed as an instant (or local time when it has no zone)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.array([None if v is None else [_scalar_text(x) for x in v] for v in arr.to_pylist()],
                        type=pa.list_(pa.string()))
    if pa.types.is_floating(t):
        return pa.array([_scalar_text(v) for v in arr.to_pylist()], type=pa.string())
    if pa.types.is_dictionary(t):
        arr = arr.cast(t.value_type)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return _empty_to_null(arr.cast(pa.string()))
    try:
        return _empty_to_null(arr.cast(pa.string()))
    except pa.ArrowException:
        return pa.array([_scalar_text(v) for v in arr.to_pylist()], type=pa.string())


# --- XLSX ------------------------------------------------------------------------------

_XLSX_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
_XLSX_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{0,3})([0-9]+)["']""")
# The fast scan, for sheets written as Excel writes them (every cell and row names its place,
# as r="A1" / r="1"); anything else (prefixed tags, cells placed by their order, quotes of
# another kind) makes the counts disagree, and the chunk is followed tag by tag instead.
_XLSX_CELL_TAG = re.compile(rb"<c[ />]")
_XLSX_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]')
_XLSX_ROW_TAG = re.compile(rb"<row[ />]")
_XLSX_ROW_WITH_NUMBER = re.compile(rb'<row r="[0-9]')
_XLSX_ROW_NUMBER = re.compile(rb' r="[A-Z]{0,3}([0-9]+)"')
_XLSX_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]")
_XLSX_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, KeyError)


def _first_sheet_member(zf: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet (as calamine picks it), or None."""
    import xml.etree.ElementTree as ET
    names = set(zf.namelist())
    try:
        for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if zf.getinfo(part).file_size > TABLE_MAX_BYTES:
                check_bytes(zf.getinfo(part).file_size, f"bytes unpacked ({part})")
        workbook = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None
    first = next((e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"), None)
    if first is None:
        return None
    rid = next((v for k, v in first.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
    for rel in rels.iter():
        if rel.get("Id") == rid and rel.get("Target"):
            target = rel.get("Target").lstrip("/")
            target = target if target.startswith("xl/") else "xl/" + target
            return target if target in names else None
    return None


def check_xlsx_size(path: Path) -> None:
    """Refuse a workbook whose first sheet is over a table limit before calamine reads it:
    calamine holds the sheet as a dense rectangle from A1 to its last cell, so one cell at
    CV1000000 costs 100 million cells. The unpacked bytes of the sheet and the shared strings
    are counted while they are read (a member's stated size is not trusted), the sheet's cells
    scanned for the highest row and column (its <dimension> is only a claim)."""
    check_bytes(path.stat().st_size)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: calamine says why
    with zf:
        try:
            sheet = _first_sheet_member(zf)
            if sheet is None:
                return
            budget = TABLE_MAX_BYTES
            members = [sheet] + (["xl/sharedStrings.xml"] if "xl/sharedStrings.xml" in zf.namelist() else [])
            stated = sum(zf.getinfo(m).file_size for m in members)  # a claim: counted again below
            if stated > TABLE_MAX_BYTES:
                raise _too_many("bytes unpacked (sheet and shared strings)", stated, TABLE_MAX_BYTES,
                                "SHOPLINT_TABLE_MAX_BYTES")
            if "xl/sharedStrings.xml" in zf.namelist():
                with zf.open("xl/sharedStrings.xml") as f:
                    while chunk := f.read(1 << 20):
                        budget -= len(chunk)
                        if budget < 0:
                            raise _too_many("bytes unpacked (sheet and shared strings)", TABLE_MAX_BYTES,
                                            TABLE_MAX_BYTES, "SHOPLINT_TABLE_MAX_BYTES", at_least=True)
            max_row = max_col = row = col = 0
            tail = b""
            with zf.open(sheet) as f:
                while chunk := f.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:
                        raise _too_many("bytes unpacked (sheet and shared strings)", TABLE_MAX_BYTES,
                                        TABLE_MAX_BYTES, "SHOPLINT_TABLE_MAX_BYTES", at_least=True)
                    data = tail + chunk
                    cut = data.rfind(b"<")
                    if cut == -1 or data.find(b">", cut) != -1:
                        cut = len(data)
                    data, tail = data[:cut], data[cut:]
                    if len(tail) > 1 << 16:  # a tag that never ends: not a sheet calamine reads
                        tail = b""
                    cells = len(_XLSX_CELL_TAG.findall(data))
                    letters = _XLSX_CELL_COLUMN.findall(data)
                    rows_here = len(_XLSX_ROW_TAG.findall(data))
                    if len(letters) == cells and rows_here == len(_XLSX_ROW_WITH_NUMBER.findall(data)) and \
                            not _XLSX_PREFIXED.search(data):
                        numbers = _XLSX_ROW_NUMBER.findall(data)
                        if numbers:
                            row = max(row, max(map(int, numbers)))
                            max_row = max(max_row, row)
                        if letters:
                            max_col = max(max_col, max(map(_column_number, set(letters))))
                        row, col = max_row, 0
                    else:  # cells placed by their order: follow the rows and cells one by one
                        for m in _XLSX_TAG.finditer(data):
                            ref = _XLSX_REF.search(m.group(2))
                            if m.group(1) == b"row":
                                row = int(ref.group(2)) if ref else row + 1
                                col = 0
                            else:
                                if ref and ref.group(1):
                                    col = _column_number(ref.group(1))
                                    row = int(ref.group(2)) if ref.group(2) else row
                                else:
                                    col += 1
                                max_col = max(max_col, col)
                            max_row = max(max_row, row)
                    # the dense rectangle so far: stop at once when it is over a limit
                    check_rows_cells(max(max_row - 1, 0), max_col)
        except TooLarge:
            raise
        except _XLSX_ZIP_ERRORS:
            return  # damaged: calamine says why


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _first_sheet(path: Path) -> list[list]:
    """The first sheet's rows of values, within the table limits (check_xlsx_size first);
    UnreadableFile when the workbook cannot be read."""
    from python_calamine import CalamineWorkbook
    check_xlsx_size(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as e:  # calamine raises its own error types for broken workbooks
        raise UnreadableFile(f"is not a readable XLSX workbook ({short_reason(e)})") from None


def _read_xlsx(path: Path) -> RawTable:
    sheet = _first_sheet(path)
    if not sheet:
        raise UnreadableFile("has an empty first sheet (no header row)")
    header = [str(h).strip() if h is not None else "" for h in sheet[0]]
    columns, names, rows = {}, {}, []
    body = []
    for i, row in enumerate(sheet[1:], start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        body.append(row)
        rows.append(i)
    for j, name in enumerate(header):
        key = normalise_name(name)
        if not key or key in columns:
            continue
        columns[key] = pa.array([_scalar_text(r[j]) if j < len(r) else None for r in body], type=pa.string())
        names[key] = name
    return RawTable(columns, np.asarray(rows, dtype=np.int64), names, list_native=False)


# --- grids: files whose header row is not the first (lint.ingest.shapes) -----------------

# Excel keeps 15 significant digits of a number: a longer id typed as a number (a 19-digit
# creator id) has lost its last digits before the file was saved.
EXCEL_DIGITS = 15


@dataclass
class Grid:
    """Every row of a sheet or a delimited file as cell texts (None: empty), row i being the
    spreadsheet's row i + 1, for shapes whose header is found by name further down."""
    cells: list[list[str | None]]
    # (row index, column index) of numeric cells whose value has more digits than a
    # spreadsheet keeps (EXCEL_DIGITS): their text is not what was typed
    untrusted: set[tuple[int, int]]


def _grid_text(v) -> tuple[str | None, bool]:
    """A cell as text, and whether that text can be trusted (a long number cannot)."""
    from datetime import timedelta
    if isinstance(v, timedelta):  # a cell formatted as a duration
        seconds = int(v.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}", True
    if isinstance(v, float) and math.isfinite(v) and abs(v) >= 10 ** EXCEL_DIGITS:
        return _scalar_text(v), False
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10 ** EXCEL_DIGITS:
        return str(v), False
    return _scalar_text(v), True


def read_xlsx_grid(path: Path) -> Grid:
    """The first sheet of a workbook as cell texts, within the table limits (check_xlsx_size
    first, as for a table file); UnreadableFile when it cannot be read."""
    sheet = _first_sheet(path)
    cells, untrusted = [], set()
    for i, row in enumerate(sheet):
        texts = []
        for j, v in enumerate(row):
            text, trusted = _grid_text(v)
            if not trusted:
                untrusted.add((i, j))
            texts.append(text)
        cells.append(texts)
    return Grid(cells, untrusted)


def sniff_text(path: Path, size: int = 1 << 16) -> str:
    """The first `size` bytes of a text file, decoded leniently (for a cheap look at its
    first lines; never raises for a readable file)."""
    with open(path, "rb") as f:
        head = f.read(size)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 3:  # a character cut at the end of the sample
            return head[: e.start].decode("utf-8", errors="replace")
        return head.decode("cp1252", errors="replace")


def split_line(line: str, delimiter: str) -> list[str]:
    """One line of a delimited file as its cells (quotes honoured); [] when it cannot be read."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def read_delimited_grid(path: Path, display: str, problems: Problems, delimiter: str) -> Grid:
    """Every record of a delimited file as cell texts (a blank line is a record of no cells, as
    a spreadsheet shows it), within the table limits; `delimiter` as the caller found it in
    the header line. UnreadableFile when it cannot be read."""
    data = _decode_to_utf8(read_bytes_bounded(path), display, problems)
    header_width = max((len(split_line(line, delimiter)) for line in
                        re.split(r"\r\n|\n|\r", data[: 1 << 16].decode("utf-8", errors="replace"))[:20]), default=1)
    _check_delimited_size(data, delimiter, max(header_width, 1))
    text = data.decode("utf-8")
    del data
    if csv.field_size_limit() < TABLE_MAX_BYTES:
        csv.field_size_limit(TABLE_MAX_BYTES)
    cells = []
    try:
        for record in csv.reader(io.StringIO(text.replace("\x00", ""), newline=""), delimiter=delimiter):
            cells.append([c.strip() or None for c in record])
            if len(cells) > TABLE_MAX_ROWS + 20:
                check_rows_cells(len(cells), header_width, at_least=True)
    except csv.Error as e:
        raise UnreadableFile(f"cannot be read as CSV ({short_reason(e)})") from None
    return Grid(cells, set())
