"""BIND004 early-unbind: an unbind less than `min_hours` after its bind."""
from __future__ import annotations

import math

import numpy as np

from lint.checks import Visual, check, headroom
from lint.checks.context import take
from lint.core.findings import CheckResult, Finding
from lint.core.headroom import UnbindAfter
from lint.core.model import MS_PER_HOUR, NO_TIME


@check("BIND004", fields=("account", "store", "held_s", "account_type"), visual=Visual.BINDING_HISTORY)
def early_unbind(ctx, params) -> CheckResult:
    """Each unbind less than `min_hours` after its bind (exactly `min_hours` is allowed)."""
    b = ctx.bindings
    held = b["end"] - b["start"]
    # Exactly min_hours is allowed: only strictly shorter bindings are findings.
    early = b[(b["end"] != NO_TIME) & (held < params["min_hours"] * MS_PER_HOUR)]
    findings = []
    for r in early.itertuples(index=False):
        hours = (r.end - r.start) / MS_PER_HOUR
        findings.append(Finding(
            rule="BIND004", store_id=r.store_id, accounts=[r.account_id], subjects=[r.unbind_id],
            start=int(r.start), end=int(r.end),
            evidence={"hours_bound": round(hours, 3), "account_type": r.account_type, "bind_id": r.bind_id},
            fields={"account": r.account_id, "store": r.store_id, "held_s": (r.end - r.start) / 1000,
                    "account_type": r.account_type},
        ))
    return CheckResult(findings)


@headroom("BIND004")
def earliest_unbind(ctx, params) -> list:
    """For each binding in force at --as-of, the earliest instant it may be unbound: exactly
    min_hours after it was linked (the check allows exactly min_hours)."""
    wait = math.ceil(params["min_hours"] * MS_PER_HOUR)
    now = ctx.bound_now
    store, account, kind, start = take(now, np.arange(len(now)), "store_id", "account_id", "account_type", "start")
    return [UnbindAfter("BIND004", s, a, k, t, t + wait) for s, a, k, t in zip(store, account, kind, start)]
