"""LIVE001 simultaneous-live: a store's Official and Marketing accounts LIVE at the same time."""
from __future__ import annotations

import numpy as np

from lint.checks import check
from lint.findings import CheckResult, Finding
from lint.intervals import group_codes, overlap_join
from lint.model import MS_PER_SECOND
from lint.text import text_similarity


@check("LIVE001")
def simultaneous_live(ctx, params) -> CheckResult:
    roles = ctx.live_roles
    if roles.empty:
        return CheckResult([])
    roles = roles.assign(until=ctx.close_open(roles["start"].to_numpy(), roles["end"].to_numpy()))
    off = roles[roles["account_type"] == "official"].reset_index(drop=True)
    mkt = roles[roles["account_type"] == "marketing"].reset_index(drop=True)
    og, mg = group_codes(off["store_id"], mkt["store_id"])
    min_overlap = int(round(params["min_overlap_s"] * MS_PER_SECOND))
    oi, mj = overlap_join(og, off["start"].to_numpy(), off["until"].to_numpy(),
                          mg, mkt["start"].to_numpy(), mkt["until"].to_numpy(), min_overlap=min_overlap)
    # A session never pairs with itself (an account both Official and Marketing).
    distinct = off["live_id"].to_numpy()[oi] != mkt["live_id"].to_numpy()[mj]
    oi, mj = oi[distinct], mj[distinct]
    findings = []
    for i, j in zip(oi.tolist(), mj.tolist()):
        o, m = off.iloc[i], mkt.iloc[j]
        start, end = max(int(o["start"]), int(m["start"])), min(int(o["until"]), int(m["until"]))
        overlap_s = (end - start) / MS_PER_SECOND
        findings.append(Finding(
            rule="LIVE001", store_id=o["store_id"],
            accounts=list(dict.fromkeys([o["account_id"], m["account_id"]])),
            subjects=[o["live_id"], m["live_id"]], start=start, end=end,
            evidence=_mirroring_evidence(o, m, overlap_s),
            fields={"store": o["store_id"], "official_account": o["account_id"],
                    "marketing_account": m["account_id"], "overlap_s": overlap_s},
        ))
    return CheckResult(findings)


def _mirroring_evidence(o, m, overlap_s: float) -> dict:
    """Signals that the two sessions are one stream sent twice, where the data has them."""
    evidence = {"overlap_s": round(overlap_s, 3)}
    so, sm = o.get("stream_source"), m.get("stream_source")
    if isinstance(so, str) and isinstance(sm, str):
        evidence["same_stream_source"] = so == sm
    to, tm = o.get("title"), m.get("title")
    if isinstance(to, str) and isinstance(tm, str):
        evidence["title_similarity"] = round(text_similarity(to, tm), 1)
    po, pm = o.get("product_ids"), m.get("product_ids")
    if isinstance(po, list) and isinstance(pm, list) and (po or pm):
        evidence["shared_products"] = sorted(set(po) & set(pm))
    return evidence
