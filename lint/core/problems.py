"""Input problems: what is wrong with an export, collected lazily (all of them, not the
first), each naming its file, row and column. Light to import: the command line loads it
before any table is read."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ProblemLevel(StrEnum):
    """How bad an input problem is."""
    FATAL = "fatal"  # the file or table cannot be used: exit 2, no report
    ROW = "row"  # that row was skipped and is listed
    VALUE = "value"  # the row was kept, that value ignored (an optional column: a picture, a list item)
    WARNING = "warning"  # read anyway (e.g. an unknown time zone fell back to the default)


@dataclass(frozen=True, order=True)
class InputProblem:
    """One thing wrong with the input. `row` counts as the user does: see lint.ingest.reader."""

    file: str
    row: int | None
    column: str | None
    message: str
    value: str | None = None
    level: ProblemLevel = ProblemLevel.ROW

    def where(self) -> str:
        """'file, row N, column 'c'' as far as known."""
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def describe(self) -> str:
        """One line for a person: where, what, and the value."""
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.where()}: {self.message}{shown}"

    def to_dict(self) -> dict:
        """The problem as the reports' `input_errors` list it."""
        return {"file": self.file, "row": self.row, "column": self.column,
                "value": self.value, "message": self.message, "level": str(self.level)}


@dataclass
class Problems:
    """Collects every problem instead of stopping at the first (pandera's lazy validation)."""

    items: list[InputProblem] = field(default_factory=list)

    def add(self, file, row, column, message, value=None, level=ProblemLevel.ROW):
        """Record a problem (a row skipped, unless `level` says otherwise)."""
        if value is not None:
            value = str(value)
            if len(value) > 200:
                value = value[:200] + "…"
        self.items.append(InputProblem(file, None if row is None else int(row), column,
                                       message, value, ProblemLevel(level)))

    def fatal(self, file, message, row=None, column=None, value=None):
        """Record a problem that makes the export unusable."""
        self.add(file, row, column, message, value, level=ProblemLevel.FATAL)

    @property
    def has_fatal(self) -> bool:
        """Whether any problem makes the export unusable."""
        return any(p.level == ProblemLevel.FATAL for p in self.items)

    def sorted(self) -> list[InputProblem]:
        """Every problem in file, row, column, message order (the reports' order)."""
        return sorted(self.items, key=lambda p: (p.file, p.row if p.row is not None else -1,
                                                 p.column or "", p.message))
