"""Text for people: grouped by store, one line per finding with its fix."""
from __future__ import annotations

import re

import click

from lint.core.result import Result
from lint.reports import wording
from lint.reports.json_report import headroom_dict

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text) -> str:
    """Input values can carry terminal escapes or bidi controls: never print them raw."""
    return _CONTROL.sub("\ufffd", str(text))


def render(result: Result, lang: str = "en", fail_on: str = "error", color: bool = False) -> str:
    """The text report: findings grouped by store, then the summary (colour only when asked)."""
    label = lambda key: result.policy.label(key, lang)  # noqa: E731
    style = (lambda text, **kw: click.style(text, **kw)) if color else (lambda text, **kw: text)
    lines: list[str] = []
    by_store: dict[str, list] = {}
    for f in result.findings:
        by_store.setdefault(f.store_id, []).append(f)
    for store_id, findings in by_store.items():
        name = result.store_names.get(store_id)
        title = f"{label('store')} {store_id}" + (f" ({name})" if name else "")
        noun = label("finding" if len(findings) == 1 else "findings")
        lines.append(style(clean(title), bold=True) + f" — {len(findings)} {noun}")
        for f in findings:
            sev = style(f"{label(f.severity):7}", fg=_COLOURS.get(f.severity))
            mark = f"[{label('baseline_' + f.baseline)}] " if f.baseline else ""
            mark = f"[{wording.history_mark(f.history, label)}] " if f.history else mark
            lines.append(f"  {sev} {mark}{f.rule} {f.name}: {clean(wording.message(result, f, lang))}")
            if f.waiver:
                w = f.waiver
                lines.append(f"          {label('waived')}: {clean(w['reason'])} ({clean(w['owner'])}, "
                             f"{label('until')} {w['expires']})")
            lines.append(f"          {label('subjects')}: {clean(', '.join(f.subjects))}")
            if "snapshot_windows" in f.evidence:
                for line in wording.snapshot_windows(f.evidence["snapshot_windows"], label, str):
                    lines.append(f"          {label('seen_between')}: {clean(line)}")
            lines.append(f"          {label('fix')}: {wording.fix(result, f, lang)}")
        lines.append("")
    headroom = headroom_dict(result, lang)
    lines += _headroom(result, headroom, label, style, lang)
    problems = [p for p in result.problems if p.level != "warning"]
    warnings = [p for p in result.problems if p.level == "warning"]
    if problems or warnings:
        lines.append(style(f"{label('input_errors')} ({len(problems)})", bold=True))
        for p in problems + warnings:
            prefix = label("warning") + ": " if p.level == "warning" else ""
            lines.append(f"  {prefix}{clean(p.describe())}")
        lines.append("")
    lines += history_lines(result, lang)
    failing = len(result.failing(fail_on))
    counts = ", ".join(f"{code} {n}" for code, n in sorted(_count(result.findings).items()))
    lines.append(style(label("summary"), bold=True))
    lines.append(f"  {len(result.findings)} {label('findings')} {label('in')} {len(by_store)} "
                 f"{label('store_one' if len(by_store) == 1 else 'stores')}" + (f" ({counts})" if counts else ""))
    lines.append(f"  {failing} {label('at_or_above')} '{label(fail_on)}'")
    lines.append(f"  {len(problems)} {label('input_rows_skipped')}")
    if result.waivers is not None:
        lines.append(f"  {sum(1 for f in result.findings if f.waiver)} {label('waived_findings')}")
        waivers = result.waivers.to_dict()
        for w in waivers["expired"]:
            lines.append(f"  {label('warning')}: {label('waiver_expired')} #{w['waiver']} ({w['rule']}, "
                         f"{clean(w['owner'])}, {w['expires']})")
        for w in waivers["unused"]:
            lines.append(f"  {label('warning')}: {label('waiver_unused')} #{w['waiver']} ({w['rule']}, "
                         f"{clean(w['owner'])})")
    if result.baseline is not None:
        b = result.baseline
        lines.append(f"  {label('baseline')}: {b.new} {label('baseline_new')}, {b.existing} "
                     f"{label('baseline_existing')}, {b.resolved} {label('baseline_resolved')}")
    near = wording.near_limit_stores(headroom)
    if near:
        lines.append(f"  {label('warning')}: {clean(', '.join(near))} {label('hr_near_limit_notices')}")
    if result.history is not None:
        c = result.history.counts()
        lines.append(f"  {label('history')}: {c['new']} {label('history_new')}, {c['existing']} "
                     f"{label('history_existing')}, {c['resolved']} {label('history_resolved')} "
                     f"({label('history_run')} {c['runs']})")
    for code, why in sorted(result.not_run.items()):
        lines.append(f"  {label('not_run')}: {code} ({why})")
    for code, n in sorted(result.not_checked.items()):
        lines.append(f"  {code}: {n} {label('not_checked')}")
    return "\n".join(lines) + "\n"


def _count(findings) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.rule] = out.get(f.rule, 0) + 1
    return out


def _headroom(result: Result, headroom: dict, label, style, lang: str) -> list[str]:
    """Per store: each limit used / allowed and what the next use does; each binding in
    force and the earliest instant it may be unbound."""
    if not headroom:
        return []
    lines = [style(f"{label('headroom')} ({label('as_of')} {wording.human_instant_in(result.as_of, result.timezone)})",
                   bold=True)]
    for store_id, h in headroom.items():
        name = result.store_names.get(store_id)
        lines.append(f"  {label('store')} {clean(store_id)}" + (f" ({clean(name)})" if name else ""))
        zone = result.zone_of(store_id)
        for limit in h["limits"]:
            what, used, nxt = wording.limit_words(limit, label, zone, lang)
            mark = (" " + style(f"[{label('warning')}: {label('hr_near_limit')}]", fg=_COLOURS["warning"])
                    if limit["near_limit"] else "")
            lines.append(f"    {what}: {used} — {nxt}{mark}")
        for u in h["unbind_after"]:
            who, when = wording.unbind_words(u, label, zone)
            lines.append(f"    {label('hr_unbind_after')}: {clean(who)} — {when}")
    lines.append("")
    return lines


def render_plan(answer, lang: str = "en") -> str:
    """The answer of `shoplint plan` (lint.planner.PlanAnswer) in words."""
    r = answer.result
    label = lambda key: r.policy.label(key, lang)  # noqa: E731
    a = answer.action
    when = wording.human_instant(r, answer.at, a.store_id)
    what = (f"{label('plan_bind')} {clean(a.account_id)} ({label(a.account_type)})" if a.kind == "bind"
            else f"{label('plan_unbind')} {clean(a.account_id)}")
    lines = [f"{what} — {label('store')} {clean(a.store_id)}, {when}"]
    if answer.allowed:
        lines.append(f"  {label('plan_allowed')}")
    else:
        lines.append(f"  {label('plan_breaks')}:")
        for f in answer.broken:
            lines.append(f"    {label(f.severity)} {f.rule} {f.name}: {clean(wording.message(r, f, lang))}")
            lines.append(f"      {label('fix')}: {wording.fix(r, f, lang)}")
        if answer.earliest is not None:
            lines.append(f"  {label('plan_earliest')}: {wording.human_instant(r, answer.earliest, a.store_id)}")
        else:
            lines.append(f"  {label('plan_never')}")
    lines.append(f"  ({label('plan_checked')}: {', '.join(answer.rules_checked)})")
    return "\n".join(lines) + "\n"


def history_lines(result: Result, lang: str) -> list[str]:
    """With --history: per store, what was resolved since the last run and its trend."""
    if result.history is None:
        return []
    label = lambda key: result.policy.label(key, lang)  # noqa: E731
    h = result.history
    trend = h.to_dict(result.timezone)["trend"]
    stores = sorted({f.store_id for f in result.findings} | {r["store_id"] for r in h.resolved_findings})
    lines: list[str] = []
    for store_id in stores:
        name = result.store_names.get(store_id)
        lines.append(clean(f"{label('store')} {store_id}" + (f" ({name})" if name else "")) + f" — {label('history')}")
        resolved = h.resolved_in(store_id)
        if resolved:
            lines.append(f"  {label('history_resolved_since')} ({len(resolved)}):")
            for r in resolved:
                lines.append(f"    {r['rule']} {clean(', '.join(r['subjects']))} ({r['fingerprint']})")
        series = wording.store_trend(trend, store_id)
        lines.append(f"  {label('history_trend').replace('{n}', str(len(trend)))}:")
        for rule, values in series.items():
            lines.append(f"    {(rule or label('history_all_rules')):<10} {wording.sparkline(values)} "
                         + wording.first_last(values))
        lines.append("")
    return lines
