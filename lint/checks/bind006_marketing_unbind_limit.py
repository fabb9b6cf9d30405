"""BIND006 marketing-unbind-limit: more than `max_unbinds` marketing unbinds of a store in
the `window_days` up to and including an unbind."""
from __future__ import annotations

import numpy as np

from lint.checks import Visual, check, headroom
from lint.checks.context import take
from lint.core.findings import CheckResult, Finding
from lint.core.headroom import consumable
from lint.core.intervals import count_in_trailing_window, group_codes
from lint.core.model import MS_PER_DAY, NO_TIME


@check("BIND006", fields=("account", "store", "count"), visual=Visual.BINDING_HISTORY)
def marketing_unbind_limit(ctx, params) -> CheckResult:
    """Each Marketing unbind that makes more than `max_unbinds` in the trailing `window_days`."""
    b = ctx.bindings
    u = b[(b["account_type"] == "marketing") & (b["end"] != NO_TIME)].reset_index(drop=True)
    (g,) = group_codes(u["store_id"])
    window = int(round(params["window_days"] * MS_PER_DAY))
    counts = count_in_trailing_window(g, u["end"].to_numpy(), window)
    over = np.flatnonzero(counts > params["max_unbinds"])
    findings = []
    store, account, unbind, at = take(u, over, "store_id", "account_id", "unbind_id", "end")
    for k, i in enumerate(over.tolist()):
        findings.append(Finding(
            rule="BIND006", store_id=store[k], accounts=[account[k]], subjects=[unbind[k]],
            start=at[k], end=at[k],
            evidence={"marketing_unbinds_in_window": int(counts[i]), "window_days": params["window_days"],
                      "max_unbinds": params["max_unbinds"]},
            fields={"account": account[k], "store": store[k], "count": int(counts[i])},
        ))
    return CheckResult(findings)


@headroom("BIND006")
def marketing_unbinds_left(ctx, params) -> list:
    """Marketing unbinds of each store in the window_days up to --as-of, of the max_unbinds
    allowed; the oldest of them leaves the window (freeing one) window_days after it."""
    window = int(round(params["window_days"] * MS_PER_DAY))
    u = ctx.unbinds_until("marketing", ctx.as_of, ("store_id", "end"))
    u = u[u["end"].to_numpy() > ctx.as_of - window]
    used = u.groupby("store_id").size().to_dict() if len(u) else {}
    oldest = u.groupby("store_id")["end"].min().to_dict() if len(u) else {}
    return [consumable("BIND006", "marketing_unbinds", s, int(used.get(s, 0)), int(params["max_unbinds"]),
                       next_free=int(oldest[s]) + window if s in oldest else None,
                       window_days=params["window_days"])
            for s in ctx.store_ids]
