"""BIND007 official-region-mismatch: an Official account whose region is not its store's."""
from __future__ import annotations

from lint.checks import Visual, check
from lint.core.findings import CheckResult, Finding


@check("BIND007", fields=("account", "store", "store_region", "account_region"),
       visual=Visual.BINDING_HISTORY)
def official_region_mismatch(ctx, params) -> CheckResult:
    """Each Official binding whose account's region differs from its store's (unknown regions: not checked)."""
    b = ctx.bindings
    off = b[b["account_type"] == "official"]
    stores, accounts = ctx.export.stores, ctx.export.accounts
    store_region = dict(zip(stores["store_id"], stores["region"])) if stores is not None else {}
    account_region = dict(zip(accounts["account_id"], accounts["region"])) if accounts is not None else {}
    sr = off["store_id"].map(store_region)
    ar = off["account_id"].map(account_region)
    known = sr.notna() & ar.notna()
    mismatch = off[known & (sr != ar)]
    findings = []
    for r in mismatch.itertuples(index=False):
        s_reg, a_reg = store_region[r.store_id], account_region[r.account_id]
        findings.append(Finding(
            rule="BIND007", store_id=r.store_id, accounts=[r.account_id], subjects=[r.bind_id],
            start=int(r.start), end=int(r.until),
            evidence={"store_region": s_reg, "account_region": a_reg},
            fields={"account": r.account_id, "store": r.store_id, "store_region": s_reg, "account_region": a_reg},
        ))
    return CheckResult(findings, not_checked=int((~known).sum()))
