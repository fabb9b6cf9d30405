"""BIND005 official-unbind-limit: the 4th, 5th, ... official unbind of a store (all time)."""
from __future__ import annotations

import numpy as np

from lint.checks import Visual, check, headroom
from lint.checks.context import take
from lint.core.findings import CheckResult, Finding
from lint.core.headroom import consumable
from lint.core.intervals import group_codes, rank_within
from lint.core.model import NO_TIME


@check("BIND005", fields=("account", "store", "nth"), visual=Visual.BINDING_HISTORY)
def official_unbind_limit(ctx, params) -> CheckResult:
    """Each Official unbind of a store past the `max_unbinds`-th, over all time."""
    b = ctx.bindings
    u = b[(b["account_type"] == "official") & (b["end"] != NO_TIME)].reset_index(drop=True)
    (g,) = group_codes(u["store_id"])
    # in time order; unbinds at the same instant in file order
    nth = rank_within(g, (u["unbind_row"].to_numpy(), u["end"].to_numpy()))
    over = np.flatnonzero(nth > params["max_unbinds"])
    findings = []
    store, account, unbind, at = take(u, over, "store_id", "account_id", "unbind_id", "end")
    for k, i in enumerate(over.tolist()):
        findings.append(Finding(
            rule="BIND005", store_id=store[k], accounts=[account[k]], subjects=[unbind[k]],
            start=at[k], end=at[k],
            evidence={"official_unbind_number": int(nth[i]), "max_unbinds": params["max_unbinds"]},
            fields={"account": account[k], "store": store[k], "nth": int(nth[i])},
        ))
    return CheckResult(findings)


@headroom("BIND005")
def official_unbinds_left(ctx, params) -> list:
    """Official unbinds each store has made up to --as-of, of the max_unbinds allowed over
    all time: they never come back."""
    done = ctx.unbinds_until("official", ctx.as_of, ("store_id",)).groupby("store_id").size().to_dict()
    return [consumable("BIND005", "official_unbinds", s, int(done.get(s, 0)), int(params["max_unbinds"]))
            for s in ctx.store_ids]
