"""BIND007 official-region-mismatch: an Official account whose region is not its store's."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lint.checks import Visual, check
from lint.core.findings import CheckResult, Finding


@check("BIND007", fields=("account", "store", "store_region", "account_region"),
       visual=Visual.BINDING_HISTORY)
def official_region_mismatch(ctx, params) -> CheckResult:
    """Each Official binding whose account's region differs from its store's (unknown regions: not checked)."""
    b = ctx.bindings
    off = b[b["account_type"] == "official"]
    stores, accounts = ctx.export.stores, ctx.export.accounts
    # (.tolist(): the same values; zipping the Series made an Arrow scalar per row)
    store_region = dict(zip(stores["store_id"].tolist(), stores["region"].tolist())) if stores is not None else {}
    account_region = (dict(zip(accounts["account_id"].tolist(), accounts["region"].tolist()))
                      if accounts is not None else {})
    sr = _looked_up(off["store_id"], store_region)
    ar = _looked_up(off["account_id"], account_region)
    known = pd.notna(sr) & pd.notna(ar)
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


def _looked_up(ids: pd.Series, table: dict) -> np.ndarray:
    """ids.map(table) as an object array, each distinct id looked up once (Series.map walks
    every row in Python)."""
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    values = pd.Series(uniques).map(table).to_numpy(dtype=object)
    out = values[codes] if len(values) else np.full(len(codes), np.nan, dtype=object)
    out[codes < 0] = np.nan
    return out
