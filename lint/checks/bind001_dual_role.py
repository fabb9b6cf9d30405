"""BIND001 dual-role-account: one account Official and Marketing at the same time."""
from __future__ import annotations

import numpy as np

from lint.checks import Partition, Visual, check
from lint.checks.context import take
from lint.core.findings import CheckResult, Finding
from lint.core.intervals import group_codes, overlap_join


@check("BIND001", fields=("account", "store", "other_store"), partition=Partition.ACCOUNT,
       visual=Visual.BINDING_HISTORY)
def dual_role(ctx, params) -> CheckResult:
    """Each pair of an account's Official and Marketing bindings in force at the same time (in any stores)."""
    b = ctx.bindings
    off = b[b["account_type"] == "official"].reset_index(drop=True)
    mkt = b[b["account_type"] == "marketing"].reset_index(drop=True)
    og, mg = group_codes(off["account_id"], mkt["account_id"])
    oi, mj = overlap_join(og, off["start"].to_numpy(), off["until"].to_numpy(),
                          mg, mkt["start"].to_numpy(), mkt["until"].to_numpy())
    o_store, o_acc, o_bind = take(off, oi, "store_id", "account_id", "bind_id")
    m_store, m_bind = take(mkt, mj, "store_id", "bind_id")
    start = np.maximum(off["start"].to_numpy()[oi], mkt["start"].to_numpy()[mj]).tolist()
    end = np.minimum(off["until"].to_numpy()[oi], mkt["until"].to_numpy()[mj]).tolist()
    findings = []
    for k in range(len(start)):
        findings.append(Finding(
            rule="BIND001", store_id=o_store[k], accounts=[o_acc[k]],
            subjects=[o_bind[k], m_bind[k]], start=start[k], end=end[k],
            evidence={"official_store_id": o_store[k], "marketing_store_id": m_store[k]},
            fields={"account": o_acc[k], "store": o_store[k], "other_store": m_store[k]},
        ))
    return CheckResult(findings)
