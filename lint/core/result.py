"""The outcome of one lint: findings, what ran, the input problems, and the nightly marks.

Engines build it from the checks; the pipeline completes it once (export name, waivers,
baseline, history, pictures, headroom) with `dataclasses.replace`, never attribute by attribute. Reporters
only read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lint.core.findings import Finding
from lint.core.policy import SEVERITY_RANK, Policy
from lint.core.problems import InputProblem, ProblemLevel

if TYPE_CHECKING:
    from lint.nightly.baseline import BaselineOutcome
    from lint.nightly.history import HistoryOutcome
    from lint.nightly.waivers import WaiverOutcome
    from lint.reports.visuals import Visuals


@dataclass(frozen=True)
class Result:
    """Everything a reporter needs about one run; see docs/python-api.md."""

    policy: Policy
    findings: list[Finding]
    rules_run: list[str]
    not_run: dict[str, str]  # code -> why
    not_checked: dict[str, int]
    problems: list[InputProblem]
    as_of: int
    timezone: str
    params: dict[str, dict]
    store_zones: dict[str, str] = field(default_factory=dict)
    store_names: dict[str, str] = field(default_factory=dict)
    store_emails: dict[str, str] = field(default_factory=dict)  # stores.manager_email, as given
    store_languages: dict[str, str] = field(default_factory=dict)  # stores.language (en, id), where given
    rows_read: dict[str, int] = field(default_factory=dict)
    export_name: str = ""
    visuals: Visuals | None = None  # for reporters that draw (HTML, email)
    waivers: WaiverOutcome | None = None  # when waivers were given
    baseline: BaselineOutcome | None = None  # when a baseline was given
    # what each store may still do as of as_of (lint.core.headroom: Limit and UnbindAfter items)
    headroom: list = field(default_factory=list)
    history: HistoryOutcome | None = None  # when a history was given: marks, resolved, trend, the run to record

    def zone_of(self, store_id: str) -> str:
        """The store's time zone, or the run's default."""
        return self.store_zones.get(store_id) or self.timezone

    def failing(self, fail_on: str) -> list[Finding]:
        """Findings that fail the run at `fail_on`: not waived, and new when only new ones count."""
        if fail_on == "never":
            return []
        floor = SEVERITY_RANK[fail_on]
        new_only = (self.baseline is not None and self.baseline.new_only) or (
            self.history is not None and self.history.new_only)
        return [f for f in self.findings if SEVERITY_RANK[f.severity] >= floor and f.waiver is None
                and not (new_only and _existing(f))]

    @property
    def input_errors(self) -> list[InputProblem]:
        """The skipped rows (problems that are not warnings)."""
        return [p for p in self.problems if p.level != ProblemLevel.WARNING]

    def report(self, lang: str = "en", fail_on: str = "error") -> dict:
        """The JSON report (shared/spec/report.md) as a dict."""
        from lint.reports.json_report import report_dict
        return report_dict(self, lang, fail_on)

    def render(self, fmt: str = "json", lang: str = "en", fail_on: str = "error") -> bytes:
        """The report in format `fmt` (json, text, html, csv, jsonl, parquet) as bytes."""
        from lint.reports import RENDERERS
        body = RENDERERS[fmt](self, lang=lang, fail_on=fail_on, color=False)
        return body if isinstance(body, bytes) else body.encode("utf-8")


def _existing(f: Finding) -> bool:
    """Seen before: by the baseline when one was given, else by the history."""
    if f.baseline is not None:
        return f.baseline == "existing"
    return f.history is not None and f.history.get("status") == "existing"
