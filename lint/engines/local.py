"""The in-process engine: run the planned checks on the canonical tables in this process."""
from __future__ import annotations

from lint.checks import load_all
from lint.checks.context import Context
from lint.core.findings import Finding
from lint.core.model import Export, InputProblem
from lint.core.policy import Policy
from lint.core.result import Result
from lint.engines.plan import Plan, make_plan


def run(export: Export, policy: Policy, codes: list[str], as_of: int, timezone: str,
        problems: list[InputProblem], params: dict[str, dict] | None = None,
        severities: dict[str, str] | None = None, on_rule=None) -> Result:
    """Run the checks `codes`; `on_rule(code)` is called as each one starts (progress)."""
    plan = make_plan(export, policy, codes, params, severities)
    registry = load_all()
    ctx = Context(export, as_of)
    findings, not_checked = [], {}
    for code in codes:
        if on_rule is not None:
            on_rule(code)
        if code not in plan.runnable:
            continue
        result = registry[code].fn(ctx, plan.params[code])
        for f in result.findings:
            f.name, f.severity = policy.rules[code].name, plan.severities[code]
        findings.extend(result.findings)
        if result.not_checked:
            not_checked[code] = result.not_checked
    findings.sort(key=Finding.sort_key)
    return result_of(export, policy, plan, findings, not_checked, as_of, timezone, problems)


def result_of(export: Export, policy: Policy, plan: Plan, findings: list[Finding], not_checked: dict[str, int],
              as_of: int, timezone: str, problems: list[InputProblem]) -> Result:
    """The Result of a plan's findings on `export` (every engine ends here)."""
    stores = export.stores

    def by_store(column: str) -> dict:
        """store_id -> the stores table's value in `column`, for the stores that have one."""
        if stores is None or column not in stores.columns:
            return {}
        given = stores.dropna(subset=[column])
        return dict(zip(given["store_id"].tolist(), given[column].tolist()))
    zones, names, emails, langs = (by_store(c) for c in ("timezone", "store_name", "manager_email", "language"))
    if export.observed:
        _note_observed(findings, export.observed, zones, timezone)
    return Result(policy=policy, findings=findings, rules_run=list(plan.runnable), not_run=dict(plan.not_run),
                  not_checked=not_checked, problems=problems, as_of=as_of, timezone=timezone,
                  params=plan.params, store_zones=zones, store_names=names, store_emails=emails, store_languages=langs,
                  rows_read=dict(export.rows_read))


def _note_observed(findings: list[Finding], observed: dict[str, tuple[int, int]], zones: dict[str, str],
                   timezone: str) -> None:
    """A finding whose subjects include events of a ledger from snapshots says, per such
    event, the window it happened in: after the last snapshot without the change (none
    before the first snapshot) and at or before the first snapshot with it."""
    from lint.core.model import NO_TIME
    from lint.ingest.timestamps import format_instant
    for f in findings:
        known = [s for s in f.subjects if s in observed]
        if not known:
            continue
        zone = zones.get(f.store_id, timezone)
        f.evidence["snapshot_windows"] = {
            s: {"after": None if observed[s][0] == NO_TIME else format_instant(observed[s][0], zone),
                "by": format_instant(observed[s][1], zone)} for s in known}
