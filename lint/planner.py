"""`shoplint plan`: would binding or unbinding this account at that time break a rule, which,
and when is the earliest time it would not?

No rule is implemented twice. The planned event is added to the export's canonical bindings
(a new binding from the instant, or the end of the binding in force then), and the rules'
own checks run on that table; the findings the event adds are the answer. The earliest
instant that adds none is searched from the asked instant forward: galloping steps, then a
bisection to the millisecond. The search assumes that once an instant passes, later ones do
too (true of each binding rule on its own: a wait, a window that slides, an all-time count),
and looks at most HORIZON ahead; past that the answer is "not on its own".

    from lint import LintOptions
    from lint.planner import Action
    from lint.pipeline import plan
    answer = plan("export/", Action("unbind", store_id="S01", account_id="promo5"), LintOptions(as_of=...))
    answer.allowed, answer.earliest, [f.rule for f in answer.broken]
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lint.core.findings import Finding
from lint.core.model import MS_PER_DAY, NO_TIME, Export
from lint.core.policy import SEVERITY_RANK, Policy
from lint.core.result import Result

ACTIONS = ("bind", "unbind")
ACCOUNT_TYPES = ("official", "marketing")
PLANNED_BIND, PLANNED_UNBIND = "(planned bind)", "(planned unbind)"
HORIZON = 20 * 366 * MS_PER_DAY  # beyond any window a rule's parameters allow
FIRST_STEP = 60_000  # ms: the gallop's first step


class PlanError(ValueError):
    """The action cannot be planned on this export (an unknown store, an account not bound
    there, already bound); the command line's exit 2."""


@dataclass(frozen=True)
class Action:
    """What a manager means to do: `kind` bind or unbind `account_id` in `store_id`, as
    `account_type` (bind only), at `at` (text as --as-of takes it, or ms; None: the run's
    --as-of)."""
    kind: str
    store_id: str
    account_id: str
    account_type: str | None = None
    at: str | int | None = None

    def __post_init__(self):
        if self.kind not in ACTIONS:
            raise PlanError(f"action {self.kind!r}: choose bind or unbind")
        if self.kind == "bind" and self.account_type not in ACCOUNT_TYPES:
            raise PlanError("--bind needs --as official or --as marketing")
        if not str(self.store_id).strip() or not str(self.account_id).strip():
            raise PlanError("give the account and --store")


@dataclass(frozen=True)
class PlanAnswer:
    """The answer: `allowed` (the action at `at` adds no finding), the findings it would
    add (`broken`, worded with `result`), and the earliest instant at or after `at` when
    it adds none (`earliest`; None when no instant within HORIZON does)."""
    action: Action
    at: int
    broken: list[Finding]
    earliest: int | None
    rules_checked: list[str]
    result: Result = field(repr=False)  # the run with the planned event, for wording

    @property
    def allowed(self) -> bool:
        return not self.broken

    def failing(self, fail_on: str) -> list[Finding]:
        """The broken rules at or above `fail_on` (the exit status, as `check`)."""
        if fail_on == "never":
            return []
        return [f for f in self.broken if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on]]

    def to_dict(self, lang: str = "en") -> dict:
        from lint.reports import wording
        r, s = self.result, self.action.store_id
        return {
            "action": self.action.kind, "store_id": s, "account_id": self.action.account_id,
            **({"account_type": self.action.account_type} if self.action.kind == "bind" else {}),
            "at": wording.instant(r, self.at, s),
            "allowed": self.allowed,
            "breaks": [{"rule": f.rule, "name": f.name, "severity": f.severity,
                        "message": wording.message(r, f, lang), "fix": wording.fix(r, f, lang)}
                       for f in self.broken],
            "earliest": None if self.earliest is None else wording.instant(r, self.earliest, s),
            "rules_checked": list(self.rules_checked),
        }


def plan_codes(policy: Policy, codes: list[str]) -> list[str]:
    """The selected rules a planned binding event can change: those that read the bindings
    and compare no pictures."""
    from lint.checks import spec
    return [c for c in codes if "bindings" in policy.rules[c].tables and spec(c) is not None and not spec(c).media]


def answer(export: Export, policy: Policy, codes: list[str], action: Action, at: int, timezone: str,
           params=None, severities=None) -> PlanAnswer:
    """Plan `action` at `at` (ms) on the canonical tables of `export`."""
    if export.bindings is None:
        raise PlanError("the export has no usable bindings table")
    b = export.bindings
    stores = set(b["store_id"]) | (set(export.stores["store_id"]) if export.stores is not None else set())
    if action.store_id not in stores:
        raise PlanError(f"store {action.store_id!r} is not in the export")
    # only the rows the event can touch: its store's, and its account's in any store
    rows = b[(b["store_id"] == action.store_id).to_numpy() | (b["account_id"] == action.account_id).to_numpy()]
    rows = rows.reset_index(drop=True)
    mine = (rows["store_id"] == action.store_id).to_numpy() & (rows["account_id"] == action.account_id).to_numpy()
    start, end = rows["start"].to_numpy(), rows["end"].to_numpy()
    in_force = mine & (start <= at) & ((end == NO_TIME) | (end > at))
    last = at + HORIZON
    if action.kind == "unbind":
        hits = np.flatnonzero(in_force)
        if len(hits) == 0:
            raise PlanError(f"account {action.account_id!r} is not bound to store {action.store_id!r} at that time")
        target = int(hits[0])
        if end[target] != NO_TIME:  # the export records a later unbind: plan one before it
            last = min(last, int(end[target]) - 1)
    else:
        same = in_force & (rows["account_type"] == action.account_type).to_numpy()
        if same.any():
            raise PlanError(f"account {action.account_id!r} is already bound to store {action.store_id!r} "
                            f"as {action.account_type} at that time")
        target = None
    # the other tables only as far as these rows' accounts reach (LIVE sessions in their roles)
    accounts = set(rows["account_id"].unique().tolist())
    lives = export.lives
    if lives is not None:
        lives = lives[lives["account_id"].isin(accounts).to_numpy()].reset_index(drop=True)
    export = dataclasses.replace(export, lives=lives, videos=None)
    base = dataclasses.replace(export, bindings=rows)

    def with_event(t: int) -> Export:
        r = rows.copy()
        if action.kind == "unbind":
            r.loc[target, "end"] = t
            r.loc[target, "unbind_id"] = PLANNED_UNBIND
            r.loc[target, "unbind_row"] = int(max(rows["bind_row"].max(), rows["unbind_row"].max())) + 1
        else:
            new = {"bind_id": PLANNED_BIND, "unbind_id": None, "store_id": action.store_id,
                   "account_id": action.account_id, "account_type": action.account_type, "start": t, "end": NO_TIME,
                   "bind_row": int(rows["bind_row"].max()) + 1 if len(rows) else 0, "unbind_row": -1}
            r = pd.concat([r, pd.DataFrame([new]).astype(r.dtypes.to_dict())], ignore_index=True)
        return dataclasses.replace(export, bindings=r)

    def added(t: int) -> tuple[list[Finding], Result]:
        from lint.engines.local import run
        check_at = t + 1  # bindings still bound last until just after the instant
        before = run(base, policy, codes, check_at, timezone, [], params=params, severities=severities)
        after = run(with_event(t), policy, codes, check_at, timezone, [], params=params, severities=severities)
        seen = {(f.rule, tuple(f.subjects)) for f in before.findings}
        return [f for f in after.findings if (f.rule, tuple(f.subjects)) not in seen], after

    broken, result = added(at)
    earliest = at if not broken else _earliest(lambda t: not added(t)[0], at, last)
    return PlanAnswer(action, at, broken, earliest, list(result.rules_run), result)


def _earliest(passes, failing_at: int, last: int) -> int | None:
    """The first instant after `failing_at` and at most `last` that passes: gallop, then bisect."""
    lo, step = failing_at, FIRST_STEP
    while True:
        hi = min(lo + step, last)
        if hi <= lo:
            return None
        if passes(hi):
            break
        if hi == last:
            return None
        lo, step = hi, step * 2
    while hi - lo > 1:  # lo fails, hi passes
        mid = (lo + hi) // 2
        if passes(mid):
            hi = mid
        else:
            lo = mid
    return hi
