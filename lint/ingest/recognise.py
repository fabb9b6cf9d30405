"""Tables recognised by their content (the shapes TikTok writes: lint.ingest.shapes) or by
their columns, for files whose name names no table ("export.csv", "bindings_2024.csv",
"Untitled spreadsheet.xlsx"): a file is a table when it has every required column of a
table the export does not have yet (by name or alias, as a named file would be read), and
more of that table's columns than of any other table it could be. Every file left unused
is named, with the table it most resembles and the columns it lacks for it, so a seller
knows why it was not read."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lint.core.problems import ProblemLevel, Problems
from lint.ingest.reader import RawTable, UnreadableFile, read_table
from lint.ingest.schema import BINDING_EVENTS, BINDING_INTERVALS, SCHEMAS, resolve_columns
from lint.ingest.shapes import read_shaped

# The tables a file may be recognised as, with the schemas that fit it (bindings: two forms).
_CANDIDATES = {"bindings": (BINDING_EVENTS, BINDING_INTERVALS), "live_sessions": (SCHEMAS["live_sessions"],),
               "videos": (SCHEMAS["videos"],), "linked_accounts": (SCHEMAS["linked_accounts"],),
               "accounts": (SCHEMAS["accounts"],), "stores": (SCHEMAS["stores"],)}


@dataclass
class Recognised:
    """A file read as a table because of its columns (or its content: lint.ingest.shapes)."""
    table: str
    path: Path
    raw: RawTable
    problems: Problems  # what reading it found, added to the run's problems when it is used
    shape: str | None = None  # the TikTok shape it was read as; None: a table file recognised by columns
    display: str = ""  # the file in messages: its path in the export (api/shop_lives/p1.json)
    page: object = None  # lint.ingest.shapes.Page when the file is one page of a listing

    def __post_init__(self):
        self.display = self.display or self.path.name


def _fit(raw: RawTable):
    """-> [(table, matched columns, missing required columns)] for every candidate table."""
    out = []
    for table, schemas in _CANDIDATES.items():
        best = None
        for schema in schemas:
            mapping, missing = resolve_columns(schema, raw)
            key = (len(missing), -len(mapping))
            if best is None or key < best[0]:
                best = (key, len(mapping), missing)
        out.append((table, best[1], best[2]))
    return out


def _is_shoplint_output(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and (b'"shoplint_baseline"' in head or
                                                (b'"tool"' in head and b'"shoplint"' in head))


def recognise(files: list[Path], have: set[str], problems: Problems, nested: list[Path] = (),
              root: Path | None = None) -> list[Recognised]:
    """Read each of `files` and keep those whose columns make them one table not in `have`;
    a warning names every other one. `nested` (files in sub-folders of `root`) are read only
    when they are of a TikTok shape, and named in a warning otherwise."""
    found: list[Recognised] = []
    taken = set(have)
    for path in [*files, *nested]:
        deep = path not in files
        display = path.relative_to(root).as_posix() if deep and root is not None else path.name
        if _is_shoplint_output(path):
            continue  # a report or baseline kept beside the tables is not a table, nor worth a warning
        scratch = Problems()
        try:
            shaped = read_shaped(path, display, scratch)
        except (UnreadableFile, MemoryError) as e:
            problems.add(display, None, None, f"not used: it looks like a file TikTok writes but cannot be read "
                         f"({e})", level=ProblemLevel.WARNING)
            continue
        if shaped is not None:
            kind, tables = shaped
            for t in tables:
                found.append(Recognised(t.table, path, t.raw, scratch, shape=t.shape, display=display,
                                        page=t.page))
                problems.add(display, None, None, f"read as the {t.table} table: a {t.shape}",
                             level=ProblemLevel.WARNING)
                for note in t.notes:
                    problems.add(display, None, None, note, level=ProblemLevel.WARNING)
                scratch = Problems()  # a file's reading problems are added once, with its first table
            continue
        if deep:  # files in sub-folders are only read when TikTok wrote them
            problems.add(display, None, None, "not used: it is in a sub-folder, where only files TikTok writes "
                         "(API pages, Seller Center exports) are read; move it to the export's top folder to read "
                         "it as a table", level=ProblemLevel.WARNING)
            continue
        try:
            raw = read_table(path, path.name, scratch)
        except (UnreadableFile, MemoryError) as e:
            problems.add(path.name, None, None, f"not used: its name is not a table name and it cannot be read "
                         f"({e})", level=ProblemLevel.WARNING)
            continue
        fits = sorted(_fit(raw), key=lambda f: (len(f[2]), -f[1]))
        whole = [f for f in fits if not f[2]]
        # a file of LIVE sessions also has an accounts table's one required column: the table
        # whose columns it matches most is the one it is (a tie stays ambiguous)
        whole = [f for f in whole if f[1] == max((g[1] for g in whole), default=0)]
        if len(whole) == 1 and whole[0][0] not in taken:
            table = whole[0][0]
            taken.add(table)
            found.append(Recognised(table, path, raw, scratch))
            problems.add(path.name, None, None, f"read as the {table} table: its name is not a table name, "
                         "its columns are", level=ProblemLevel.WARNING)
            continue
        if len(whole) == 1:
            why = f"its columns are those of the {whole[0][0]} table, which the export has already"
        elif whole:
            why = f"its columns fit several tables ({', '.join(t for t, _, _ in whole)}); rename it to the one it is"
        else:
            table, _, missing = fits[0]
            why = (f"its name is not a table name and its columns fit no table (it most resembles {table}, "
                   f"without {', '.join(repr(m) for m in missing)})")
        problems.add(path.name, None, None, f"not used: {why}", level=ProblemLevel.WARNING)
    return found
