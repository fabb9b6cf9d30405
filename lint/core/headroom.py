"""Headroom: what a store may still do without breaking a rule, as of the run's instant.

A rule that has a limit a store uses up gives its headroom next to its check (a function
registered with `lint.checks.headroom`), from the canonical tables and the rule's own
parameters, so a configured limit changes it. Reporters render these generic items and
never know which rule made them.

- `Limit`: a store's use of one limit (bound accounts of a type, unbinds over all time or in a
  trailing window): used / allowed, whether the next use breaks the rule, when one use
  frees up, and whether the store is near the limit.
- `UnbindAfter`: for one binding in force, the earliest instant it may be unbound.

A store near a limit is a *notice* (level "warning"), not a finding: it is not in
`findings` or the summary's counts, so `--fail-on` never fails a run on it and a waiver
(which matches findings) has nothing to waive.
"""
from __future__ import annotations

from dataclasses import dataclass

NEAR_LIMIT_LEFT = 1  # a store with this many uses (or fewer) left of a limit that does not come back is near it
NOTICE_LEVEL = "warning"


@dataclass(frozen=True)
class Limit:
    rule: str
    item: str  # what is counted; its words are the label "hr_<item>" of rules/labels.toml
    store_id: str
    used: int
    allowed: int
    next_free: int | None = None  # ms: when one more use is allowed again (a use leaves the window, a binding ends)
    near_limit: bool = False  # few uses left of a limit that does not come back soon: a notice
    window_days: float | None = None  # for limits counted over a trailing window

    @property
    def left(self) -> int:
        return max(self.allowed - self.used, 0)

    @property
    def next_breaks(self) -> bool:
        """Whether one more use now would break the rule."""
        return self.used >= self.allowed


@dataclass(frozen=True)
class UnbindAfter:
    rule: str
    store_id: str
    account_id: str
    account_type: str
    bound_at: int  # ms
    earliest: int  # ms: the earliest instant the binding may be unbound


def consumable(rule: str, item: str, store_id: str, used: int, allowed: int, **kw) -> Limit:
    """A limit whose uses do not come back soon (unbinds): near it with NEAR_LIMIT_LEFT or
    fewer left, and not yet over it (over it is a finding already)."""
    near = used <= allowed and allowed - used <= NEAR_LIMIT_LEFT
    return Limit(rule, item, store_id, used, allowed, near_limit=near, **kw)


def sort_key(item) -> tuple:
    """The order headroom items are shown in."""
    if isinstance(item, Limit):
        return (item.store_id, 0, item.rule, item.item, "")
    return (item.store_id, 1, item.bound_at, item.account_id, item.rule)
