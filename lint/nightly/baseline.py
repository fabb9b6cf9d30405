"""Baselines: compare a run with an earlier one by finding fingerprint.

A baseline is any shoplint JSON report, or the smaller file `shoplint baseline write`
makes from one (its findings' rule, store, subjects and fingerprint). Each finding of the
run is "new" or "existing"; fingerprints of the baseline missing from the run are
"resolved". With --new-only, only new findings fail the run.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lint.core.findings import Finding


class BaselineError(Exception):
    pass


def load_baseline(path: Path) -> dict[str, dict]:
    """fingerprint -> {rule, store_id, subjects} of the baseline's findings."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise BaselineError(f"{path}: cannot be read ({e.strerror or e})") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise BaselineError(f"{path}: not a JSON report or baseline ({e})") from None
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list) or not all(isinstance(f, dict) and "fingerprint" in f for f in findings):
        raise BaselineError(f"{path}: not a shoplint JSON report or baseline (no findings with fingerprints)")
    return {f["fingerprint"]: {"rule": f.get("rule"), "store_id": f.get("store_id"), "subjects": f.get("subjects")}
            for f in findings}


def baseline_file(report: dict) -> dict:
    """The baseline of a JSON report: each finding's rule, store, subjects and fingerprint."""
    return {"shoplint_baseline": 1, "as_of": report.get("as_of"), "export": report.get("export"),
            "findings": [{"rule": f["rule"], "store_id": f["store_id"], "subjects": f["subjects"],
                          "fingerprint": f["fingerprint"]} for f in report["findings"]]}


@dataclass(frozen=True)
class BaselineOutcome:
    """Findings against a baseline: counts, the findings gone since, and whether only new ones fail."""
    new: int
    existing: int
    resolved_findings: list[dict]
    new_only: bool = False

    @property
    def resolved(self) -> int:
        """How many findings of the baseline are gone."""
        return len(self.resolved_findings)

    def counts(self) -> dict[str, int]:
        """{'new': n, 'existing': n, 'resolved': n}, as the report's summary gives them."""
        return {"new": self.new, "existing": self.existing, "resolved": self.resolved}


def compare(findings: list[Finding], baseline: dict[str, dict], new_only: bool = False) -> BaselineOutcome:
    """Mark each finding new or existing (by fingerprint); -> the outcome."""
    seen = set()
    for f in findings:
        f.baseline = "existing" if f.fingerprint in baseline else "new"
        seen.add(f.fingerprint)
    resolved = [{"fingerprint": fp, **v} for fp, v in sorted(baseline.items()) if fp not in seen]
    return BaselineOutcome(new=sum(f.baseline == "new" for f in findings),
                           existing=sum(f.baseline == "existing" for f in findings),
                           resolved_findings=resolved, new_only=new_only)
