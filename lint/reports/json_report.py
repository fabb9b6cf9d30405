"""The JSON report of shared/spec/report.md: one object, deterministic bytes."""
from __future__ import annotations

import json

from lint import __version__
from lint.core.result import Result
from lint.ingest.timestamps import format_instant
from lint.reports import wording


def finding_dict(result: Result, f, lang: str) -> dict:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "store_id": f.store_id,
        "store_name": result.store_names.get(f.store_id),
        "accounts": list(f.accounts),
        "subjects": list(f.subjects),
        "window": {"start": wording.instant(result, f.start, f.store_id),
                   "end": wording.instant(result, f.end, f.store_id)},
        "message": wording.message(result, f, lang),
        "fix": wording.fix(result, f, lang),
        "evidence": f.evidence,
        "fingerprint": f.fingerprint,
        **({"waiver": f.waiver} if f.waiver else {}),
        **({"baseline": f.baseline} if f.baseline else {}),
        **({"history": f.history} if f.history else {}),
    }


def summary(result: Result, fail_on: str) -> dict:
    by_rule, by_severity, by_store = {}, {}, {}
    for f in result.findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
        by_store[f.store_id] = by_store.get(f.store_id, 0) + 1
    return {
        "findings": len(result.findings),
        "failing": len(result.failing(fail_on)),
        "fail_on": fail_on,
        "by_rule": dict(sorted(by_rule.items())),
        "by_severity": dict(sorted(by_severity.items())),
        "by_store": dict(sorted(by_store.items())),
        "input_errors": len(result.input_errors),
        **({"waived": sum(1 for f in result.findings if f.waiver)} if result.waivers is not None else {}),
        **({"baseline": result.baseline.counts()} if result.baseline is not None else {}),
        **({"history": result.history.counts()} if result.history is not None else {}),
    }


def report_dict(result: Result, lang: str = "en", fail_on: str = "error") -> dict:
    return {
        "tool": {"name": "shoplint", "version": __version__},
        "policy": {"name": result.policy.name, "version": result.policy.version},
        "export": result.export_name,
        "as_of": format_instant(result.as_of, result.timezone),
        "timezone": result.timezone,
        "language": lang,
        "findings": [finding_dict(result, f, lang) for f in result.findings],
        "summary": summary(result, fail_on),
        "rules": {
            "run": result.rules_run,
            "not_run": dict(sorted(result.not_run.items())),
            "not_checked": dict(sorted(result.not_checked.items())),
            "parameters": {c: result.params[c] for c in result.rules_run if result.params.get(c)},
        },
        "rows_read": dict(sorted(result.rows_read.items())),
        # every store of the stores table (and any store with a finding): for emails
        "stores": {s: {"name": result.store_names.get(s), "timezone": result.zone_of(s),
                       "manager_email": result.store_emails.get(s)}
                   for s in sorted(set(result.store_zones) | set(result.store_names) | set(result.store_emails)
                                   | {f.store_id for f in result.findings})},
        "input_errors": [p.to_dict() for p in result.problems],
        **({"waivers": result.waivers.to_dict()} if result.waivers is not None else {}),
        **({"baseline": {"resolved": result.baseline.resolved_findings, "new_only": result.baseline.new_only}}
           if result.baseline is not None else {}),
        **({"history": result.history.to_dict(result.timezone)} if result.history is not None else {}),
    }


def render(result: Result, lang: str = "en", fail_on: str = "error", color: bool = False) -> str:
    return json.dumps(report_dict(result, lang, fail_on), ensure_ascii=False, indent=1) + "\n"
