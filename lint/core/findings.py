"""A finding: one violation with its evidence. Checks make them; reporters render them."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class Finding:
    rule: str
    store_id: str
    accounts: list[str]
    subjects: list[str]
    start: int  # window, UTC ms
    end: int
    evidence: dict = field(default_factory=dict)
    # Values for the rule's message template (ids, counts...), filled in by the check.
    fields: dict = field(default_factory=dict)
    # Ids that identify the violation across runs (default: the subjects); see fingerprint.
    identity: tuple[str, ...] | None = None
    # Set by the engine from the policy pack.
    name: str = ""
    severity: str = ""
    # Set after the run: the waiver that covers it, and "new"/"existing" against a baseline.
    waiver: dict | None = None
    baseline: str | None = None
    # Set after the run with --history: {status, first_seen, open_since, days_open}.
    history: dict | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across runs and inputs that only add rows: hashes the rule, the store and
        the ids that make the violation (not its window or counts, which more rows can move)."""
        ids = self.identity if self.identity is not None else tuple(self.subjects)
        text = "\x1f".join((self.rule, self.store_id, *ids))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]

    def sort_key(self):
        return (self.store_id, self.rule, self.start, self.end, tuple(self.subjects))


@dataclass
class CheckResult:
    findings: list[Finding]
    # Items the rule could not judge (e.g. BIND007 with an unknown region).
    not_checked: int = 0
