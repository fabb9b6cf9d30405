"""Which of the selected rules run on an export, and which do not and why: one plan for
every engine (in-process, Dask), so they agree on "not run" to the letter."""
from __future__ import annotations

from dataclasses import dataclass

from lint.checks import Partition, load_all
from lint.core.model import Export
from lint.core.policy import Policy


@dataclass(frozen=True)
class Plan:
    """The rules an engine runs, with their resolved parameters and severities."""
    codes: tuple[str, ...]  # selected, in pack order
    runnable: tuple[str, ...]  # selected, implemented, and with their tables
    not_run: dict[str, str]  # code -> why
    params: dict[str, dict]  # code -> parameters (pack defaults overridden by configuration)
    severities: dict[str, str]  # code -> severity (pack, or configuration)

    def by_partition(self, partition: Partition) -> list[str]:
        """The runnable rules a distributed engine runs in the pass of `partition`."""
        registry = load_all()
        return [c for c in self.runnable if registry[c].partition == partition]


def make_plan(export: Export, policy: Policy, codes: list[str], params: dict[str, dict] | None = None,
              severities: dict[str, str] | None = None) -> Plan:
    """Decide what runs on `export`: a rule runs when this version implements it and the
    export has every table the pack says it reads."""
    registry = load_all()
    resolved = {c: {**policy.rules[c].defaults(), **(params or {}).get(c, {})} for c in codes}
    runnable, not_run = [], {}
    for code in codes:
        missing = [t for t in policy.rules[code].tables if not export.has(t)]
        if missing == ["bindings"] and code in registry and registry[code].source_roles and export.has_source_roles():
            missing = []  # roles from the source stand in for the ledger
        if code not in registry:
            not_run[code] = "not implemented in this version"
        elif missing:
            not_run[code] = f"table{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing or unusable"
        else:
            runnable.append(code)
    return Plan(tuple(codes), tuple(runnable), not_run, resolved,
                {c: (severities or {}).get(c, policy.rules[c].severity) for c in codes})
