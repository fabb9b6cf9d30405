"""TikTok Studio analytics "Content.csv" -> videos (docs/inputs.md, "TikTok Studio
Content.csv").

    Time,Video title,Video link,Post time,Total likes,Total comments,Total shares,Total views
    2026-04-12 ~ 2026-04-18,Gamis premium,https://www.tiktok.com/@tokosatu/video/7234567890123456789,Apr 18,...

One row a video: the id and the account come from its link, the caption is its title, and
its post time is a localized date WITHOUT a year (`Apr 18`, `18 Mei`, `18 thg 4`, `4月18日`),
given its year from the export's date range: the latest such date that is not after the
range's end. What stays ambiguous (a date inside a range of a year or more, a date before the
range) is said as a warning of its row.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from lint.core.problems import ProblemLevel, Problems
from lint.ingest.reader import split_line
from lint.ingest.schema import MAX_PER_COLUMN, more_rows_message
from lint.ingest.shapes import Shaped, shape
from lint.ingest.shapes._grid import HEADER_ROWS, csv_head, key, raw_table, sniffed_grid
from lint.ingest.timestamps import current_run_instant

NAME = "TikTok Studio Content.csv"

# Header names, as matched by `key` (any case, spaces collapsed); the link and post time
# columns are also found by their content when their names are in none of these.
COLUMNS = {
    "link": ("video link", "link", "tautan video", "link video", "enlace del video", "link do vídeo",
             "liên kết video", "ลิงก์วิดีโอ"),
    "title": ("video title", "title", "judul video", "judul", "título del video", "título do vídeo",
              "tiêu đề video", "ชื่อวิดีโอ"),
    "post": ("post time", "posted time", "publish time", "waktu posting", "waktu unggah", "waktu diposting",
             "tanggal posting", "hora de publicación", "horário da publicação", "thời gian đăng", "เวลาที่โพสต์"),
    "range": ("time", "date range", "waktu", "rentang tanggal", "periode"),
}

_LINK = re.compile(r"tiktok\.com/@([^/?#\s]+)/(?:video|photo)/(\d{1,25})", re.IGNORECASE)

# Month names and abbreviations (CLDR's wide and abbreviated forms, dots left out) of the
# languages TikTok Studio writes dates in: English, Indonesian, Malay, Spanish, Portuguese,
# French, German, Thai; Vietnamese (`thg 4`), Chinese/Japanese (`4月18日`) and Korean
# (`4월 18일`) are numeric and read by pattern.
MONTH_NAMES = {
    "en": ("january february march april may june july august september october november december",
           "jan feb mar apr may jun jul aug sep oct nov dec", {"sept": 9}),
    "id": ("januari februari maret april mei juni juli agustus september oktober november desember",
           "jan feb mar apr mei jun jul agu sep okt nov des", {"agt": 8, "ags": 8, "nop": 11, "peb": 2}),
    "ms": ("januari februari mac april mei jun julai ogos september oktober november disember",
           "jan feb mac apr mei jun jul ogo sep okt nov dis", {}),
    "es": ("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
           "ene feb mar abr may jun jul ago sept oct nov dic", {"sep": 9, "setiembre": 9, "set": 9}),
    "pt": ("janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
           "jan fev mar abr mai jun jul ago set out nov dez", {"marco": 3}),
    "fr": ("janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
           "janv févr mars avr mai juin juil août sept oct nov déc", {"fevr": 2, "aout": 8, "dec": 12}),
    "de": ("januar februar märz april mai juni juli august september oktober november dezember",
           "jan feb mär apr mai jun jul aug sep okt nov dez", {"mrz": 3, "maerz": 3}),
    "th": ("มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม",
           "มค กพ มีค เมย พค มิย กค สค กย ตค พย ธค", {}),
}


def _month_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for wide, short, extra in MONTH_NAMES.values():
        for names in (wide.split(), short.split()):
            for i, w in enumerate(names, start=1):
                words[month_word(w)] = i
        words.update({month_word(w): m for w, m in extra.items()})
    return words


def month_word(text: str) -> str:
    """A month name as it is looked up: any case, without dots or spaces."""
    return re.sub(r"[\s.]", "", unicodedata.normalize("NFC", text).casefold())


MONTHS = _month_words()
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_CJK = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_VI = re.compile(r"(\d{1,2})\s*(?:tháng|thg|th)\s*(\d{1,2})")
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_RANGE = re.compile(r"(\d{4})[-/]?(\d{2})[-/]?(\d{2})\s*(?:[~–—_]|-|\bto\b|\bs/d\b)+\s*(\d{4})[-/]?(\d{2})[-/]?(\d{2})")


# Years a post date or a range may have; others are typos (no TikTok video is from then).
MIN_YEAR, MAX_YEAR = 2000, 2200


@dataclass(frozen=True)
class PostTime:
    month: int
    day: int
    year: int | None  # None: the file did not say (the usual case)
    clock: tuple[int, int, int] | None  # (h, m, s); None: no time of day


def parse_post_time(text: str) -> PostTime | None:
    """`Apr 18`, `18 Apr`, `April 18, 22:14`, `18 Mei`, `18 de abr.`, `18 thg 4`, `18 เม.ย.`,
    `4月18日`, `2026-04-18 22:14`... -> its parts; None when it is not a date."""
    t = unicodedata.normalize("NFC", text).casefold().strip()
    clock = None
    m = _TIME_OF_DAY.search(t)
    if m:
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if h > 23 or mi > 59 or s > 59:
            return None
        t = (t[:m.start()] + " " + t[m.end():]).strip()
        half = re.search(r"(?<![^\W\d_])([ap])\.?m\.?(?![^\W\d_])", t)  # 10:14 PM, 10:14 p.m.
        if half:
            if h > 12 or h == 0:
                return None
            h = h % 12 + (12 if half.group(1) == "p" else 0)
            t = (t[:half.start()] + " " + t[half.end():]).strip()
        clock = (h, mi, s)
    m = _ISO_DATE.fullmatch(t.strip(" ,"))
    if m:
        return _checked(int(m.group(2)), int(m.group(3)), int(m.group(1)), clock)
    m = _CJK.fullmatch(t.strip(" ,"))
    if m:
        return _checked(int(m.group(2)), int(m.group(3)), int(m.group(1)) if m.group(1) else None, clock)
    year = None
    m = re.search(r"(?<!\d)(\d{4})(?!\d)", t)
    if m:
        year = int(m.group(1))
        year = year - 543 if year > 2400 else year  # a Thai (Buddhist era) year
        t = t[:m.start()] + " " + t[m.end():]
    t = re.sub(r"\bde\b", " ", re.sub(r"[,]", " ", t))
    t = " ".join(t.split()).strip(" .")
    m = _VI.fullmatch(t)
    if m:
        return _checked(int(m.group(2)), int(m.group(1)), year, clock)
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th|\.)?\s*(\D+)", t) or re.fullmatch(r"(\D+?)\s*(\d{1,2})(?:st|nd|rd|th)?",
                                                                                    t)
    if not m:
        return None
    day, word = (m.group(1), m.group(2)) if m.group(1)[0].isdigit() else (m.group(2), m.group(1))
    month = MONTHS.get(month_word(word))
    return _checked(month, int(day), year, clock) if month else None


def _checked(month: int, day: int, year: int | None, clock) -> PostTime | None:
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        return None  # a typo: no post is from then
    try:
        date(year or 2000, month, day)  # 2000: a leap year, so 29 Feb is a date
    except (ValueError, TypeError):
        return None
    return PostTime(month, day, year, clock)


@dataclass(frozen=True)
class Span:
    start: date | None
    end: date
    source: str  # where it came from, for the notes


def find_range(texts: list[str], file_name: str) -> Span | None:
    """The export's date range from the `Time` column or the rows above the header (`texts`),
    else from the file name (`Content_20260412-20260418.csv`)."""
    for source, candidates in (("the file", texts), ("the file name", [file_name])):
        for text in candidates:
            m = _RANGE.search(text or "")
            if m:
                try:
                    a, b = date(*map(int, m.groups()[:3])), date(*map(int, m.groups()[3:]))
                except ValueError:
                    continue
                if a <= b and MIN_YEAR <= a.year and b.year <= MAX_YEAR:
                    return Span(a, b, f"{a.isoformat()} ~ {b.isoformat()}, from {source}")
    return None


def resolve(p: PostTime, span: Span) -> tuple[date, str | None]:
    """The post date of `p`, and what is ambiguous about it (None: nothing). The year is the
    latest that puts the date on or before the range's end (a day later allowed: the range is
    in the shop's zone, the post time in the viewer's)."""
    if p.year is not None:
        return date(p.year, p.month, p.day), None
    last = span.end + timedelta(days=1)
    options = []
    for year in range(last.year, last.year - 9, -1):
        try:
            d = date(year, p.month, p.day)
        except ValueError:
            continue  # 29 Feb of a common year
        if d <= last:
            options.append(d)
    chosen = options[0]
    if span.start is None:
        return chosen, None  # said once for the file
    first = span.start - timedelta(days=1)
    inside = [d for d in options if d >= first]
    if len(inside) > 1:
        return chosen, (f"has no year and the export's range ({span.source}) holds it twice: "
                        f"{inside[-1].isoformat()} or {chosen.isoformat()}; {chosen.isoformat()} is used")
    if chosen < first:
        return chosen, (f"has no year and is before the export's range ({span.source}): "
                        f"{chosen.isoformat()} is used, the latest such date before it")
    return chosen, None


@dataclass
class Header:
    index: dict[str, int]
    written: dict[str, str]


def _named(row: list[str | None]) -> dict[str, int]:
    keys = [key(c) for c in row]
    found: dict[str, int] = {}
    for role, names in COLUMNS.items():
        j = next((j for j, k in enumerate(keys) if k in names and j not in found.values()), None)
        if j is not None:
            found[role] = j
    return found


def match_header(row: list[str | None], below: list[list[str | None]]) -> Header | None:
    """The Content.csv header in `row` (the rows `below` it are its first data rows): a column
    of TikTok video links and a post time column, by name or by what they hold, whose dates
    have no year (a file whose dates have theirs is a table of the seller's, read by columns)."""
    if not row or not any(row):
        return None
    found = _named(row)
    sample = [r for r in below if any(r)][:5]
    if not sample:
        return None

    def holds(j, test, share) -> bool:
        # a named column holds one such value at least; an unnamed one, at least half of its values
        values = [r[j] for r in sample if j < len(r) and r[j]]
        passed = sum(1 for v in values if test(v))
        return passed > 0 and passed >= share * len(values)
    tests = {"link": lambda v: _LINK.search(v) is not None, "post": lambda v: parse_post_time(v) is not None}
    for role, test in tests.items():
        if role in found and not holds(found[role], test, 0):
            del found[role]
        if role not in found:
            j = next((j for j in range(len(row)) if j not in found.values() and holds(j, test, 0.5)), None)
            if j is None:
                return None
            found[role] = j
    posts = [parse_post_time(r[found["post"]]) for r in sample if found["post"] < len(r) and r[found["post"]]]
    if not any(p is not None and p.year is None for p in posts):
        return None  # dates with their years: a table of the seller's own, read by its columns
    written = {role: (str(row[j]).strip() if j < len(row) and row[j] else f"column {j + 1}")
               for role, j in found.items()}
    return Header(found, written)


def _sniff(path: Path) -> str | None | bool:
    """False when the file cannot be of this shape (cheap); else its delimiter."""
    lines = csv_head(path)
    if not any(_LINK.search(line) for line in lines):
        return False
    for i in range(len(lines)):
        for delimiter in (",", ";", "\t"):
            if delimiter not in lines[i]:
                continue
            below = [[c.strip() or None for c in split_line(line, delimiter)] for line in lines[i + 1:i + 6]]
            if match_header([c.strip() or None for c in split_line(lines[i], delimiter)], below):
                return delimiter
    return False


@shape(NAME, extensions=(".csv",))
def content_csv(path: Path, display: str, problems: Problems) -> list[Shaped] | None:
    """A TikTok Studio Content.csv -> videos rows; None when the file is not one."""
    grid = sniffed_grid(path, display, problems, _sniff)
    if grid is None:
        return None
    found = None
    for i, row in enumerate(grid.cells[:HEADER_ROWS]):
        header = match_header(row, grid.cells[i + 1:i + 6])
        if header is not None:
            found = i, header
            break
    if found is None:
        return None
    return [_read_rows(path, grid, *found, display, problems)]


def _read_rows(path: Path, grid, at: int, header: Header, display: str, problems: Problems) -> Shaped:
    idx, written = header.index, header.written

    def cell(row, role):
        j = idx.get(role)
        return row[j] if j is not None and j < len(row) else None

    body = [(i + 1, row) for i, row in enumerate(grid.cells[at + 1:], start=at + 1)
            if any(c is not None and c.strip() for c in row)]
    above = [c for row in grid.cells[:at] for c in row if c]
    span = find_range([cell(row, "range") or "" for _, row in body[:50]] + above, path.name)
    notes = []
    if span is None:
        # the run's --as-of (the same input and --as-of read alike: never the file's time,
        # which an upload or a copy changes); today only outside a run
        as_of = current_run_instant()
        day = (datetime.fromtimestamp(as_of / 1000, tz=timezone.utc).date() if as_of is not None
               else date.today())
        span = Span(None, day, f"the run's --as-of, {day.isoformat()}")
        notes.append(f"post times have no year and the file says no date range: each is given the latest year "
                     f"that puts it on or before {day.isoformat()} (the run's --as-of); check the years, or "
                     "name the file with its range (Content_20260412-20260418.csv)")
    else:
        notes.append(f"post times have no year: each is given the latest year that puts it on or before the end "
                     f"of the export's range ({span.source})")
    columns: dict[str, list] = {c: [] for c in ("video_id", "account_id", "posted_at", "caption", "share_url")}
    rows: list[int] = []
    skipped = warned = 0
    midnight = 0
    for n, row in body:
        link, posted = cell(row, "link"), cell(row, "post")
        m = _LINK.search(link or "")
        p = parse_post_time(posted) if posted else None
        if m is None:
            problems.add(display, n, written["link"], "is empty; row skipped" if not link else
                         "is not a TikTok video link with the video's id (https://www.tiktok.com/@user/video/…); "
                         "row skipped", value=link)
        if p is None:
            problems.add(display, n, written["post"], "is empty; row skipped" if not posted else
                         "is not a post time like Apr 18 or 18 Apr 22:14; row skipped", value=posted)
        if m is None or p is None:
            skipped += 1
            continue
        day, ambiguous = resolve(p, span)
        if ambiguous:
            warned += 1
            if warned <= MAX_PER_COLUMN:
                problems.add(display, n, written["post"], ambiguous, value=posted, level=ProblemLevel.WARNING)
        h, mi, s = p.clock or (0, 0, 0)
        midnight += p.clock is None
        columns["video_id"].append(m.group(2))
        columns["account_id"].append(m.group(1).lstrip("@"))
        columns["posted_at"].append(datetime(day.year, day.month, day.day, h, mi, s).isoformat())
        columns["caption"].append(cell(row, "title"))
        columns["share_url"].append(link.strip())
        rows.append(n)
    if warned > MAX_PER_COLUMN:
        problems.add(display, None, written["post"], more_rows_message(warned - MAX_PER_COLUMN),
                     level=ProblemLevel.WARNING)
    if midnight:
        notes.append(f"{midnight} post time(s) have no time of day: read as midnight, shop-local")
    names = {"video_id": written["link"], "account_id": written["link"], "posted_at": written["post"],
             "caption": written.get("title", "title"), "share_url": written["link"]}
    if "title" not in idx:
        columns["caption"] = [None] * len(rows)
    return Shaped("videos", raw_table(columns, rows, names, skipped), NAME, notes)
