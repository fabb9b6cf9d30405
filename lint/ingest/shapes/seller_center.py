"""Seller Center "Live Analysis" export (.xlsx, or the same saved as .csv), English or
Indonesian -> live_sessions (docs/inputs.md, "Seller Center Live Analysis export").

    Date Range: 2026-04-12 ~ 2026-04-18          <- title row (optional)
                                                 <- blank row
    Creator ID | Creator | Nickname | Launched Time       | Duration | <metrics chosen by the seller>
    7234...789 | tokosatu| Toko 1   | 2026/04/18/ 22:14   | 1h 40min | ...

The header is found by name in the first 20 rows (sellers choose the metric columns, so no
position is assumed); a session is one row: the creator's user name is the account, the
start is shop-local time, the end is the start plus the duration. The file carries no
session id: one is made from the creator and the start minute, so the same session in two
weekly exports gets the same id and is kept once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from lint.core.problems import ProblemLevel, Problems
from lint.ingest.reader import EXCEL_DIGITS
from lint.ingest.shapes import DERIVED_LIVE_ID, Shaped, shape
from lint.ingest.shapes._grid import csv_head, find_header, find_in_lines, key, raw_table, sniffed_grid, xlsx_mentions

NAME = "Seller Center Live Analysis export"

# Header names, as matched by `key` (any case, spaces collapsed). English, then Indonesian.
COLUMNS = {
    "creator_id": (("creator id",), ("id kreator",)),
    "username": (("creator", "creator username", "creator name", "username"),
                 ("kreator", "nama kreator", "nama pengguna")),
    "start": (("launched time", "launch time", "live time"), ("waktu live", "waktu diluncurkan", "waktu mulai")),
    "duration": (("duration", "live duration"), ("durasi", "durasi live")),
    "title": (("live title", "title", "live name"), ("judul live", "judul", "nama live")),
    "live_id": (("live id", "room id"), ("id live", "id room")),
}
REQUIRED = ("creator_id", "start", "duration")
# Words the cheap look at a workbook searches for (lower case; one of each group).
_WORDS = ((b"creator id", b"id kreator"), (b"launched time", b"launch time", b"live time", b"waktu live",
                                            b"waktu diluncurkan", b"waktu mulai"), (b"duration", b"durasi"))


@dataclass
class Header:
    index: dict[str, int]  # column role -> position in the header row
    written: dict[str, str]  # column role -> the header as written
    language: str  # "English" | "Indonesian"


def match_header(row: list[str | None]) -> Header | None:
    """The Live Analysis header in `row`, or None: it has a creator id, a launch time and a
    duration column (by name, English or Indonesian)."""
    keys = [key(c) for c in row]
    index, written, indonesian = {}, {}, 0
    for role, (english, bahasa) in COLUMNS.items():
        for j, k in enumerate(keys):
            if k and (k in english or k in bahasa) and j not in index.values():
                index[role], written[role] = j, str(row[j]).strip()
                indonesian += k in bahasa and k not in english
                break
    if not all(r in index for r in REQUIRED):
        return None
    return Header(index, written, "Indonesian" if indonesian * 2 > len(index) else "English")


_TIME = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})\s*/?\s*(?:T|\s)?\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")
_DURATION = re.compile(
    r"(?:(\d{1,4})\s*(?:h|hr|hrs|hour|hours|j|jam))?\s*"
    r"(?:(\d{1,6})\s*(?:m|min|mins|minute|minutes|mnt|menit))?\s*"
    r"(?:(\d{1,8})\s*(?:s|sec|secs|second|seconds|dtk|detik))?", re.IGNORECASE)
_CLOCK = re.compile(r"(\d{1,4}):(\d{2}):(\d{2})")
_RANGE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*[~–—-]\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def parse_launched(text: str) -> datetime | None:
    """`2026/04/18/ 22:14` (the stray slash as TikTok writes it), without it, with seconds, or
    ISO (a date cell of the workbook) -> naive shop-local datetime; None if it is none of them."""
    m = _TIME.fullmatch(text.strip())
    if not m:
        return None
    try:
        return datetime(*(int(g) for g in m.groups(default="0")))
    except ValueError:
        return None


def parse_duration(text: str) -> timedelta | None:
    """`1h 40min`, `40min`, `2h`, `1h 5min 30s`, Indonesian `1j 40mnt`, `1 jam 40 menit`,
    `40 mnt`, `30 detik`, or `1:40:00` (a duration cell) -> timedelta; None otherwise."""
    text = " ".join(text.split())
    m = _CLOCK.fullmatch(text)
    if m:
        h, mi, s = (int(g) for g in m.groups())
        return timedelta(hours=h, minutes=mi, seconds=s) if mi < 60 and s < 60 else None
    m = _DURATION.fullmatch(text)
    if not m or not text or all(g is None for g in m.groups()):
        return None
    h, mi, s = (int(g) if g else 0 for g in m.groups())
    return timedelta(hours=h, minutes=mi, seconds=s)


def date_range(rows: list[list[str | None]]) -> str | None:
    """The export's `Date Range: 2026-04-12 ~ 2026-04-18` (or `Rentang Tanggal: ...`) from
    the rows above the header, as `2026-04-12 ~ 2026-04-18`."""
    for row in rows:
        for cell in row:
            m = _RANGE.search(cell or "")
            if m:
                a = "-".join(f"{int(g):02d}" for g in m.groups()[:3])
                b = "-".join(f"{int(g):02d}" for g in m.groups()[3:])
                return f"{a} ~ {b}"
    return None


def _sniff(path: Path) -> str | None | bool:
    """False when the file cannot be of this shape (cheap); else the CSV delimiter (None: XLSX)."""
    if path.suffix.lower() == ".xlsx":
        return None if xlsx_mentions(path, _WORDS) else False
    found = find_in_lines(csv_head(path), match_header)
    return False if found is None else found[0]


# A long id a spreadsheet turned into a number and wrote back as text (a CSV saved by
# Excel: 7.23457E+18, or 7234567890123450000: 15 digits kept, the rest zeroed)
_ROUNDED = re.compile(r"^\s*\d(?:[.,]\d+)?[eE]\+?\d+\s*$|^\s*(?=\d{16,}\s*$)\d{1,15}0+\s*$")


@shape(NAME, extensions=(".xlsx", ".csv"))
def live_analysis(path: Path, display: str, problems: Problems) -> list[Shaped] | None:
    """A Live Analysis export -> live_sessions rows; None when the file is not one."""
    grid = sniffed_grid(path, display, problems, _sniff)
    if grid is None:
        return None
    found = find_header(grid, match_header)
    if found is None:
        return None
    at, header = found
    return [_read_rows(grid, at, header, display, problems)]


def _read_rows(grid, at: int, header: Header, display: str, problems: Problems) -> Shaped:
    idx, written = header.index, header.written
    columns: dict[str, list] = {c: [] for c in ("live_id", "account_id", "creator_id", "started_at", "ended_at",
                                                "title")}
    rows: list[int] = []
    skipped = 0
    from_username = "username" in idx

    def cell(row, role):
        j = idx.get(role)
        return row[j] if j is not None and j < len(row) else None

    for i in range(at + 1, len(grid.cells)):
        row = grid.cells[i]
        if not any(c is not None and c.strip() for c in row):
            continue  # a blank row
        n = i + 1  # the spreadsheet's row number
        creator_id, username = cell(row, "creator_id"), cell(row, "username")
        if creator_id is not None and ((i, idx["creator_id"]) in grid.untrusted or _ROUNDED.match(creator_id)):
            where = ("the row is read by its creator's user name" if username else "row skipped")
            problems.add(display, n, written["creator_id"],
                         f"is a number in the spreadsheet with more than {EXCEL_DIGITS} digits, which a spreadsheet "
                         f"does not keep: the id cannot be trusted (format the column as text); {where}",
                         value=creator_id, level=ProblemLevel.VALUE if username else ProblemLevel.ROW)
            if not username:
                skipped += 1
                continue
            creator_id = None
        launched, duration = cell(row, "start"), cell(row, "duration")
        start = parse_launched(launched) if launched else None
        length = parse_duration(duration) if duration else None
        bad = False
        if start is None:
            problems.add(display, n, written["start"],
                         "is empty; row skipped" if not launched else
                         "is not a launch time like 2026/04/18/ 22:14; row skipped", value=launched)
            bad = True
        if length is None:
            problems.add(display, n, written["duration"],
                         "is empty: the session's end is unknown; row skipped" if not duration else
                         "is not a duration like 1h 40min (Indonesian: 1j 40mnt); row skipped", value=duration)
            bad = True
        end = None
        if not bad:
            try:
                end = start + length
            except OverflowError:
                problems.add(display, n, written["duration"], "is too long; row skipped", value=duration)
                bad = True
        if bad:
            skipped += 1
            continue
        account = (username or "").strip().lstrip("@").strip() or None if from_username else creator_id
        live_id = cell(row, "live_id")
        if not live_id:
            live_id = f"{DERIVED_LIVE_ID}{creator_id or account or ''}:{start:%Y%m%d%H%M}"
        columns["live_id"].append(live_id)
        columns["account_id"].append(account)
        columns["creator_id"].append(creator_id)
        columns["started_at"].append(start.isoformat(timespec="seconds"))
        columns["ended_at"].append(end.isoformat(timespec="seconds"))
        columns["title"].append(cell(row, "title"))
        rows.append(n)
    names = {"live_id": written.get("live_id", f"{written['creator_id']} + {written['start']}"),
             "account_id": written.get("username", written["creator_id"]), "creator_id": written["creator_id"],
             "started_at": written["start"], "ended_at": written["duration"],
             "title": written.get("title", "title")}
    if "title" not in idx:
        del columns["title"], names["title"]
    notes = []
    span = date_range(grid.cells[:at])
    if span:
        notes.append(f"covers {span} (its Date Range)")
    if not from_username:
        notes.append(f"has no creator user name column: sessions are read by their {written['creator_id']}")
    if "live_id" not in idx:
        notes.append(f"sessions have no id in the file: each is named live:<{written['creator_id']}>:<start "
                     "minute>, so a session in two exports is kept once")
    return Shaped("live_sessions", raw_table(columns, rows, names, skipped), f"{NAME} ({header.language})", notes)
