"""What the spreadsheet shapes share: a cheap look at a file before it is read, the header
row found by name in the first rows, and the file read as a grid of cell texts within the
table limits (lint.ingest.reader). Registers no shape."""
from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa

from lint.core.problems import Problems
from lint.ingest.reader import Grid, RawTable, read_delimited_grid, read_xlsx_grid, sniff_text, split_line

# The header may sit anywhere in the first rows (a title, a date range, blank rows above it).
HEADER_ROWS = 20
DELIMITERS = (",", ";", "\t")
_SNIFF_BYTES = 1 << 20  # of the shared strings and of the sheet, unpacked, for the cheap look

T = TypeVar("T")


def key(text) -> str:
    """A header cell as it is matched: trimmed, inner spaces collapsed, any case."""
    return " ".join(str(text).split()).casefold() if text is not None else ""


def xlsx_mentions(path: Path, groups: tuple[tuple[bytes, ...], ...]) -> bool:
    """Whether the start of the workbook's text (shared strings, first sheet) holds one of the
    words of every group (lower case): a cheap test before the workbook is read. Never raises."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))[:3]
            text = b""
            for member in [n for n in ("xl/sharedStrings.xml",) if n in names] + sheets:
                with zf.open(member) as f:
                    text += f.read(_SNIFF_BYTES).lower()
    except Exception:  # not a zip, damaged, encrypted...: not a workbook of this shape
        return False
    return all(any(word in text for word in group) for group in groups)


def csv_head(path: Path) -> list[str]:
    """The first HEADER_ROWS lines of a text file (a cheap look; never raises)."""
    try:
        return re.split(r"\r\n|\n|\r", sniff_text(path))[:HEADER_ROWS]
    except OSError:
        return []


def find_in_lines(lines: list[str], match: Callable[[list[str | None]], T | None]) -> tuple[str, T] | None:
    """The delimiter and what `match` says of the first line that it matches (split with each
    delimiter in turn)."""
    for line in lines:
        for delimiter in DELIMITERS:
            if delimiter not in line:
                continue
            got = match([c.strip() or None for c in split_line(line, delimiter)])
            if got is not None:
                return delimiter, got
    return None


def find_header(grid: Grid, match: Callable[[list[str | None]], T | None]) -> tuple[int, T] | None:
    """(row index, what `match` says) of the first of the first HEADER_ROWS rows it matches."""
    for i, row in enumerate(grid.cells[:HEADER_ROWS]):
        got = match(row)
        if got is not None:
            return i, got
    return None


def sniffed_grid(path: Path, display: str, problems: Problems,
                 sniff: Callable[[Path], str | None | bool]) -> Grid | None:
    """The file as a grid when the shape's cheap look `sniff` allows it (False: not this
    shape; else the delimiter, None for a workbook); None otherwise. The cheap look never
    decides that a file is broken: reading it does."""
    try:
        delimiter = sniff(path)
    except Exception:
        return None
    if delimiter is False:
        return None
    return read_grid(path, display, problems, delimiter)


def read_grid(path: Path, display: str, problems: Problems, delimiter: str | None) -> Grid:
    """The file as a grid: a workbook's first sheet, or a delimited file split by `delimiter`."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_grid(path)
    return read_delimited_grid(path, display, problems, delimiter or ",")


def raw_table(columns: dict[str, list], rows: list[int], names: dict[str, str], skipped: int) -> RawTable:
    """Canonical text columns -> the RawTable validation reads (`rows`: spreadsheet rows)."""
    return RawTable({k: pa.array(v, type=pa.string()) for k, v in columns.items()},
                    np.asarray(rows, dtype=np.int64), names, list_native=False, skipped=skipped)
