"""BIND006 marketing-unbind-limit: more than `max_unbinds` marketing unbinds of a store in
the `window_days` up to and including an unbind."""
from __future__ import annotations

import numpy as np

from lint.checks import check
from lint.findings import CheckResult, Finding
from lint.intervals import count_in_trailing_window, group_codes
from lint.model import MS_PER_DAY, NO_TIME


@check("BIND006")
def marketing_unbind_limit(ctx, params) -> CheckResult:
    b = ctx.bindings
    u = b[(b["account_type"] == "marketing") & (b["end"] != NO_TIME)].reset_index(drop=True)
    (g,) = group_codes(u["store_id"])
    window = int(round(params["window_days"] * MS_PER_DAY))
    counts = count_in_trailing_window(g, u["end"].to_numpy(), window)
    over = np.flatnonzero(counts > params["max_unbinds"])
    findings = []
    for i in over.tolist():
        r = u.iloc[i]
        findings.append(Finding(
            rule="BIND006", store_id=r["store_id"], accounts=[r["account_id"]], subjects=[r["unbind_id"]],
            start=int(r["end"]), end=int(r["end"]),
            evidence={"marketing_unbinds_in_window": int(counts[i]), "window_days": params["window_days"],
                      "max_unbinds": params["max_unbinds"]},
            fields={"account": r["account_id"], "store": r["store_id"], "count": int(counts[i])},
        ))
    return CheckResult(findings)
