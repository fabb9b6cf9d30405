"""Run the selected checks on the canonical tables and collect the findings."""
from __future__ import annotations

from dataclasses import dataclass, field

from lint.checks import load_all
from lint.checks.context import Context
from lint.core.findings import Finding
from lint.core.model import Export, InputProblem
from lint.core.policy import SEVERITY_RANK, Policy


@dataclass
class RunResult:
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
    rows_read: dict[str, int] = field(default_factory=dict)
    export_name: str = ""
    visuals: object = None  # lint.reports.visuals.Visuals, for reporters that draw
    waivers: dict | None = None  # lint.nightly.waivers.WaiverOutcome.to_dict(), when waivers were given
    baseline: dict | None = None  # lint.nightly.baseline.compare(), when a baseline was given
    new_only: bool = False  # with a baseline: only new findings fail

    def zone_of(self, store_id: str) -> str:
        return self.store_zones.get(store_id) or self.timezone

    def failing(self, fail_on: str) -> list[Finding]:
        if fail_on == "never":
            return []
        floor = SEVERITY_RANK[fail_on]
        return [f for f in self.findings if SEVERITY_RANK[f.severity] >= floor and f.waiver is None
                and not (self.new_only and f.baseline == "existing")]


def run(export: Export, policy: Policy, codes: list[str], as_of: int, timezone: str,
        problems: list[InputProblem], params: dict[str, dict] | None = None,
        severities: dict[str, str] | None = None, on_rule=None) -> RunResult:
    """Run the checks `codes`; `on_rule(code)` is called as each one starts (progress)."""
    registry = load_all()
    ctx = Context(export, as_of)
    params = {c: {**policy.rules[c].defaults(), **(params or {}).get(c, {})} for c in codes}
    findings, rules_run, not_run, not_checked = [], [], {}, {}
    for code in codes:
        if on_rule is not None:
            on_rule(code)
        rule = policy.rules[code]
        missing = [t for t in rule.tables if not export.has(t)]
        if code not in registry:
            not_run[code] = "not implemented in this version"
            continue
        if missing:
            not_run[code] = f"table{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing or unusable"
            continue
        result = registry[code](ctx, params[code])
        severity = (severities or {}).get(code, rule.severity)
        for f in result.findings:
            f.name, f.severity = rule.name, severity
        findings.extend(result.findings)
        rules_run.append(code)
        if result.not_checked:
            not_checked[code] = result.not_checked
    findings.sort(key=Finding.sort_key)
    stores = export.stores
    zones = names = emails = {}
    if stores is not None:
        z = stores.dropna(subset=["timezone"])
        zones = dict(zip(z["store_id"], z["timezone"]))
        n = stores.dropna(subset=["store_name"])
        names = dict(zip(n["store_id"], n["store_name"]))
        e = stores.dropna(subset=["manager_email"])
        emails = dict(zip(e["store_id"], e["manager_email"]))
    return RunResult(policy=policy, findings=findings, rules_run=rules_run, not_run=not_run,
                     not_checked=not_checked, problems=problems, as_of=as_of, timezone=timezone,
                     params=params, store_zones=zones, store_names=names, store_emails=emails, rows_read=dict(export.rows_read))
