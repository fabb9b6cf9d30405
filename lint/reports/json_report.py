"""The JSON report of shared/spec/report.md: one object, deterministic bytes."""
from __future__ import annotations

from lint import __version__
from lint.core.result import Result
from lint.ingest.timestamps import format_instant
from lint.reports import wording
from lint.reports.json_text import dumps_indent1_utf8


def finding_dict(result: Result, f, lang: str) -> dict:
    """One finding as the JSON report lists it (shared/spec/report.md)."""
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


def headroom_dict(result: Result, lang: str) -> dict:
    """store -> {"limits": [...], "unbind_after": [...]}: what each store may still do as of
    the run (lint.core.headroom). A limit near its end carries "notice": "warning"; it is
    not a finding, so it never fails a run and no waiver applies to it."""
    from lint.core.headroom import NOTICE_LEVEL, Limit
    from lint.ingest.timestamps import format_instants
    items = result.headroom
    zones: dict[str, str] = {}  # store -> its zone, looked up once per store (not per instant)
    for h in items:
        if h.store_id not in zones:
            zones[h.store_id] = result.zone_of(h.store_id)
    # every instant formatted once, zone by zone (a big export has a binding per account)
    wanted: dict[str, set] = {}
    for h in items:
        w = wanted.get(zones[h.store_id])
        if w is None:
            w = wanted[zones[h.store_id]] = set()
        if isinstance(h, Limit):
            if h.next_free is not None:
                w.add(h.next_free)
        else:
            if h.bound_at is not None:
                w.add(h.bound_at)
            if h.earliest is not None:
                w.add(h.earliest)
    shown: dict[str, dict] = {}
    for zone, instants in wanted.items():
        instants = sorted(instants)
        shown[zone] = dict(zip(instants, format_instants(instants, zone)))
    labels: dict[str, str] = {}
    as_of = result.as_of
    out: dict[str, dict] = {}
    for h in items:
        store = out.get(h.store_id)
        if store is None:
            store = out[h.store_id] = {"limits": [], "unbind_after": []}
        at = shown[zones[h.store_id]]
        if isinstance(h, Limit):
            label = labels.get(h.item)
            if not label:
                label = labels[h.item] = result.policy.label("hr_" + h.item, lang)
            limit = {"rule": h.rule, "item": h.item, "label": label, "used": h.used, "allowed": h.allowed,
                     "left": h.left, "next_breaks": h.next_breaks,
                     "next_free": None if h.next_free is None else at[h.next_free]}
            if h.window_days is not None:
                limit["window_days"] = h.window_days
            limit["near_limit"] = h.near_limit
            if h.near_limit:
                limit["notice"] = NOTICE_LEVEL
            store["limits"].append(limit)
        else:
            store["unbind_after"].append({
                "rule": h.rule, "account_id": h.account_id, "account_type": h.account_type,
                "bound_at": None if h.bound_at is None else at[h.bound_at],
                "earliest_unbind": None if h.earliest is None else at[h.earliest],
                "may_unbind_now": as_of >= h.earliest,
            })
    return out


def summary(result: Result, fail_on: str) -> dict:
    """The report's counts: findings, failing, by rule, severity and store, input errors."""
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
    """The JSON report as a dict, keys in the order of shared/spec/report.md."""
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
                       "manager_email": result.store_emails.get(s),
                       **({"language": result.store_languages[s]} if s in result.store_languages else {})}
                   for s in sorted(set(result.store_zones) | set(result.store_names) | set(result.store_emails)
                                   | {f.store_id for f in result.findings})},
        # what each store may still do as of the run: limits used / allowed, earliest unbinds
        "headroom": headroom_dict(result, lang),
        "input_errors": [p.to_dict() for p in result.problems],
        **({"waivers": result.waivers.to_dict()} if result.waivers is not None else {}),
        **({"baseline": {"resolved": result.baseline.resolved_findings, "new_only": result.baseline.new_only}}
           if result.baseline is not None else {}),
        **({"history": result.history.to_dict(result.timezone)} if result.history is not None else {}),
    }


def render(result: Result, lang: str = "en", fail_on: str = "error", color: bool = False) -> str:
    """The JSON report: one object, indent 1 (json.dumps(..., ensure_ascii=False, indent=1))
    and a line end."""
    return render_utf8(result, lang, fail_on).decode("utf-8")


def render_utf8(result: Result, lang: str = "en", fail_on: str = "error", color: bool = False) -> bytes:
    """`render` as the UTF-8 bytes written, encoded piece by piece (the report's renderer:
    lint.reports.RENDERERS): a big report never exists as one Python string."""
    return dumps_indent1_utf8(report_dict(result, lang, fail_on), end="\n")
