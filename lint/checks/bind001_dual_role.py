"""BIND001 dual-role-account: one account Official and Marketing at the same time."""
from __future__ import annotations

from lint.checks import check
from lint.findings import CheckResult, Finding
from lint.intervals import group_codes, overlap_join


@check("BIND001")
def dual_role(ctx, params) -> CheckResult:
    b = ctx.bindings
    off = b[b["account_type"] == "official"].reset_index(drop=True)
    mkt = b[b["account_type"] == "marketing"].reset_index(drop=True)
    og, mg = group_codes(off["account_id"], mkt["account_id"])
    oi, mj = overlap_join(og, off["start"].to_numpy(), off["until"].to_numpy(),
                          mg, mkt["start"].to_numpy(), mkt["until"].to_numpy())
    findings = []
    for i, j in zip(oi.tolist(), mj.tolist()):
        o, m = off.iloc[i], mkt.iloc[j]
        findings.append(Finding(
            rule="BIND001", store_id=o["store_id"], accounts=[o["account_id"]],
            subjects=[o["bind_id"], m["bind_id"]],
            start=max(int(o["start"]), int(m["start"])), end=min(int(o["until"]), int(m["until"])),
            evidence={"official_store_id": o["store_id"], "marketing_store_id": m["store_id"]},
            fields={"account": o["account_id"], "store": o["store_id"], "other_store": m["store_id"]},
        ))
    return CheckResult(findings)
