"""Helpers for the fuzz and messy-file tests: a valid export as data, writers for every
input format, the real command line run in-process, and the row accounting check.

Row accounting: for every table that was read, each data row of the file is either used
(kept in the canonical table; for bindings, the bind or unbind of a binding) or listed in
the input errors with its row number, never both, and `rows_read` counts them all.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

from click.testing import CliRunner

from lint.cli import main
from lint.core.model import Problems
from lint.ingest import ExportSource, load_export

AS_OF = "2026-01-01T00:00:00+07:00"
ZONE = "Asia/Jakarta"
EXTS = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "json": ".json", "xlsx": ".xlsx", "parquet": ".parquet"}
FORMATS = tuple(EXTS)

# A small valid export that breaks a few rules: (columns, rows) per table.
BASE: dict[str, tuple[list[str], list[dict]]] = {
    "stores": (["store_id", "region", "store_name", "timezone", "manager_email"], [
        {"store_id": "S1", "region": "ID", "store_name": "Toko Satu", "timezone": "Asia/Jakarta",
         "manager_email": "a@example.com"},
        {"store_id": "0002", "region": "ID", "store_name": "Kedai Dua", "timezone": "Asia/Makassar",
         "manager_email": ""},
        {"store_id": "S3", "region": "MY", "store_name": "Kedai Tiga", "timezone": "", "manager_email": ""},
    ]),
    "accounts": (["account_id", "handle", "region"], [
        {"account_id": "A1", "handle": "@satu", "region": "ID"},
        {"account_id": "A2", "handle": "@dua", "region": "ID"},
        {"account_id": "A3", "handle": "@tiga", "region": "SG"},
        {"account_id": "A4", "handle": "@empat", "region": "MY"},
    ]),
    "bindings": (["event_id", "store_id", "account_id", "account_type", "action", "at"], [
        {"event_id": "E1", "store_id": "S1", "account_id": "A1", "account_type": "official", "action": "bind",
         "at": "2025-03-01T10:00:00+07:00"},
        {"event_id": "E2", "store_id": "S1", "account_id": "A2", "account_type": "marketing", "action": "bind",
         "at": "1740798000"},
        {"event_id": "E3", "store_id": "S1", "account_id": "A1", "account_type": "official", "action": "unbind",
         "at": "2025-03-02T10:00:00+07:00"},
        {"event_id": "E4", "store_id": "0002", "account_id": "A3", "account_type": "official", "action": "bind",
         "at": "2025-03-05 08:00:00"},
        {"event_id": "E5", "store_id": "0002", "account_id": "A1", "account_type": "marketing", "action": "bind",
         "at": "1741132800000"},
        {"event_id": "E6", "store_id": "S3", "account_id": "A4", "account_type": "official", "action": "bind",
         "at": "2025-04-01T00:00:00Z"},
        {"event_id": "E7", "store_id": "S1", "account_id": "A4", "account_type": "marketing", "action": "bind",
         "at": "2025-04-02T00:00:00Z"},
        {"event_id": "E8", "store_id": "S1", "account_id": "A4", "account_type": "marketing", "action": "unbind",
         "at": "2025-06-02T00:00:00Z"},
    ]),
    "videos": (["video_id", "account_id", "posted_at", "caption", "duration_s", "music_id", "hashtags"], [
        {"video_id": "V1", "account_id": "A3", "posted_at": "2025-05-01T12:00:00+07:00",
         "caption": "Batik tulis motif parang #batik", "duration_s": "21.4", "music_id": "M1",
         "hashtags": ["batik"]},
        {"video_id": "V2", "account_id": "A1", "posted_at": "2025-05-02T12:00:00+07:00",
         "caption": "Batik tulis motif parang #batik", "duration_s": "21.2", "music_id": "M1",
         "hashtags": ["batik"]},
        {"video_id": "V3", "account_id": "A2", "posted_at": "1746162000", "caption": "Sepatu lari",
         "duration_s": "9", "music_id": "", "hashtags": []},
    ]),
    "live_sessions": (["live_id", "account_id", "started_at", "ended_at", "title", "product_ids"], [
        {"live_id": "L1", "account_id": "A3", "started_at": "2025-05-10T19:00:00+07:00",
         "ended_at": "2025-05-10T21:00:00+07:00", "title": "LIVE batik", "product_ids": ["P1", "P2"]},
        {"live_id": "L2", "account_id": "A1", "started_at": "2025-05-10T20:00:00+07:00",
         "ended_at": "2025-05-10T22:00:00+07:00", "title": "LIVE batik juga", "product_ids": ["P2"]},
        {"live_id": "L3", "account_id": "A2", "started_at": "2025-05-11T20:00:00",
         "ended_at": "", "title": "masih live", "product_ids": []},
    ]),
}
ID_COLUMN = {"stores": "store_id", "accounts": "account_id", "bindings": "event_id", "videos": "video_id",
             "live_sessions": "live_id"}


def base_tables() -> dict[str, tuple[list[str], list[dict]]]:
    return {t: (list(cols), [dict(r) for r in rows]) for t, (cols, rows) in BASE.items()}


# --- writing ---------------------------------------------------------------------------

def cell_text(v) -> str:
    """A value as it lands in a text cell (CSV/TSV)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "|".join(cell_text(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def _json_value(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)  # JSON has no NaN/Infinity; keep the text
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, list):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    return v


def table_bytes(columns: list[str], rows: list[list], fmt: str) -> bytes:
    """`rows` are lists of values in column order (several columns may share a name)."""
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        # csv.writer quotes only the characters of its line terminator: with "\r\n" (as Excel
        # writes) a CR or LF inside a cell is quoted, as it must be to stay inside its row
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\r\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([cell_text(v) for v in r])
        return buf.getvalue().encode("utf-8")
    if fmt in ("jsonl", "json"):
        objects = []
        for r in rows:
            parts = [f"{json.dumps(c, ensure_ascii=False)}: {json.dumps(_json_value(v), ensure_ascii=False)}"
                     for c, v in zip(columns, r) if v is not None or fmt == "json"]
            objects.append("{" + ", ".join(parts) + "}")
        if fmt == "jsonl":
            return "".join(o + "\n" for o in objects).encode("utf-8")
        return ('{"data": [' + ",\n".join(objects) + "]}").encode("utf-8")
    if fmt == "xlsx":
        import xlsxwriter
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False,
                                       "strings_to_formulas": False, "strings_to_urls": False})
        ws = wb.add_worksheet("export")
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for j, c in enumerate(columns):
            ws.write_string(0, j, c)
        for i, r in enumerate(rows, start=1):
            for j, v in enumerate(r):
                if v is None:
                    continue
                if isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, (int, float)) and math.isfinite(v) and abs(v) < 1e300:
                    ws.write_number(i, j, v)
                elif isinstance(v, dt.datetime) and 1900 <= v.year <= 9999:
                    ws.write_datetime(i, j, v.replace(tzinfo=None), date_fmt)
                else:
                    ws.write_string(i, j, cell_text(v)[:32767])
        wb.close()
        return buf.getvalue()
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        arrays = []
        for j in range(len(columns)):
            values = [r[j] if j < len(r) else None for r in rows]
            try:
                arr = pa.array(values)
                if pa.types.is_null(arr.type) or pa.types.is_struct(arr.type):
                    raise pa.ArrowInvalid("untyped")
            except (pa.ArrowException, OverflowError, TypeError, ValueError):
                arr = pa.array([None if v is None else cell_text(v) for v in values], type=pa.string())
            arrays.append(arr)
        table = pa.Table.from_arrays(arrays, names=columns)
        buf = io.BytesIO()
        pq.write_table(table, buf)
        return buf.getvalue()
    raise ValueError(fmt)


def write_tables(folder: Path, tables: dict, formats: dict[str, str]) -> dict[str, Path]:
    """tables: {name: (columns, rows as dicts or lists)} -> files; formats: {name: fmt}."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (columns, rows) in tables.items():
        fmt = formats.get(name, "csv")
        as_lists = [r if isinstance(r, list) else [r.get(c) for c in columns] for r in rows]
        path = folder / f"{name}{EXTS[fmt]}"
        path.write_bytes(table_bytes(columns, as_lists, fmt))
        paths[name] = path
    return paths


# --- running ---------------------------------------------------------------------------

def cli(*args: str):
    """The real command line, in-process (about 50x faster than a subprocess). Unexpected
    exceptions propagate (SHOPLINT_DEBUG) so that a failure shows where it happened."""
    runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], env={"SHOPLINT_DEBUG": "1"}, catch_exceptions=True)


def check_json(folder: Path, *extra: str):
    return cli("check", folder, "--format", "json", "--as-of", AS_OF, "--no-cache", "-q", *extra)


def assert_clean_outcome(result, files: list[str]) -> dict | None:
    """Exit 0, 1 or 2; no traceback; exit 2 names a file. -> the JSON report (exit 0/1)."""
    out, err = result.stdout, result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback
        raise AssertionError("".join(traceback.format_exception(result.exception)))
    assert result.exit_code in (0, 1, 2), (result.exit_code, err)
    for text in (out, err):
        assert "Traceback" not in text and "internal error" not in text, text[-2000:]
    if result.exit_code == 2:
        assert err.strip(), "exit 2 without a message"
        assert any(f in err for f in files), f"exit 2 message names no file ({files}): {err}"
        return None
    report = json.loads(out)
    assert isinstance(report["input_errors"], list)
    return report


def data_row_count(columns: list[str], rows: list[list], fmt: str) -> int:
    """How many data rows the reader must see: JSON/Parquet records all count; in text and
    spreadsheet files a row whose cells are all blank is a blank line, not a row."""
    if fmt in ("json", "jsonl", "parquet"):
        return len(rows)
    return sum(1 for r in rows if any(cell_text(v).strip(" \t\r\n") for v in r))


def account_rows(folder: Path, zone: str = ZONE):
    """Read the export like `check` does -> (export, problems, {table: (used, rejected)})."""
    problems = Problems()
    with ExportSource.open(folder) as source:
        export = load_export(source, zone, problems, media=None)
    out = {}
    for table, display in export.sources.items():
        if table not in export.rows_read:
            continue  # the table could not be used (a fatal problem names it)
        frame = {"bindings": export.bindings, "live_sessions": export.lives}.get(table, getattr(export, table, None))
        if table == "bindings":
            used = set(frame["bind_row"].tolist()) | {r for r in frame["unbind_row"].tolist() if r >= 0}
        else:
            used = set(frame["_row"].tolist())
        rejected = {p.row for p in problems.items if p.file == display and p.level == "row" and p.row is not None}
        out[table] = (used, rejected)
    return export, problems, out


def assert_rows_accounted(folder: Path, expected_rows: dict[str, int] | None = None, zone: str = ZONE):
    export, problems, acc = account_rows(folder, zone)
    for table, (used, rejected) in acc.items():
        display = export.sources[table]
        assert not used & rejected, f"{display}: rows both used and rejected: {sorted(used & rejected)}"
        n = export.rows_read[table]
        assert len(used | rejected) == n, (
            f"{display}: rows_read {n} but {len(used)} used + {len(rejected)} rejected: "
            f"used={sorted(used)} rejected={sorted(rejected)} problems={[p.describe() for p in problems.items]}")
        if expected_rows is not None and table in expected_rows:
            assert n == expected_rows[table], f"{display}: rows_read {n}, the file has {expected_rows[table]}"
    return export, problems, acc


# --- files TikTok writes (lint.ingest.shapes) ------------------------------------------------

# A Seller Center Live Analysis export: a title row, a blank row, the header on row 3. The
# creators' user names are the accounts of BASE (so LIVE001 can run on the result).
LIVE_ANALYSIS_HEADER = ["Creator ID", "Creator", "Nickname", "Launched Time", "Duration", "GMV", "Viewers"]
LIVE_ANALYSIS_ROWS = [
    ["7234567890123456781", "A1", "Satu", "2025/05/10/ 20:00", "2h", "Rp1.250.000", "1.234"],
    ["7234567890123456782", "A2", "Dua", "2025/05/10/ 20:30", "1h 40min", "Rp0", "12"],
    ["7234567890123456783", "A3", "Tiga", "2025/05/11/ 09:00", "40min", "Rp10.000", "5"],
    ["7234567890123456784", "A4", "Empat", "2025/05/11 21:15", "1h 5min 30s", "Rp0", "0"],
    ["7234567890123456785", "A1", "Satu", "2025/05/12/ 20:00:30", "30min", "Rp0", "1"],
    ["7234567890123456786", "A2", "Dua", "2025/05/12/ 20:10", "1h", "Rp0", "3"],
]
LIVE_ANALYSIS_FIRST_ROW = 4  # the spreadsheet row of the first session

# A TikTok Studio Content.csv: the header on row 1, post dates without a year.
CONTENT_HEADER = ["Time", "Video title", "Video link", "Post time", "Total likes", "Total views"]
CONTENT_ROWS = [
    ["2025-04-27 ~ 2025-05-03", f"Batik tulis #{i}", f"https://www.tiktok.com/@A{1 + i % 4}/video/73000000000000000{i:02d}",
     posted, str(i), "1,234"]
    for i, posted in enumerate(["May 1", "2 May 21:14", "Apr 30", "May 3, 9:05 PM", "28 Apr", "Apr 27"], start=1)]
CONTENT_FIRST_ROW = 2


def live_analysis_bytes(header: list[str], rows: list[list], fmt: str) -> bytes:
    """A Live Analysis export as .xlsx (typed cells as table_bytes writes them) or .csv."""
    grid = [["Date Range: 2025-05-05 ~ 2025-05-18"], []] + [header] + rows
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        for line in grid:
            w.writerow([cell_text(v) for v in line])
        return buf.getvalue().encode("utf-8")
    data = table_bytes(grid[0], grid[1:], "xlsx")  # row 1 is written as text, the rest typed
    return data
