"""LIVE001 simultaneous-live: a store's Official and Marketing accounts LIVE at the same time."""
from __future__ import annotations

import numpy as np

from lint.checks import Visual, check
from lint.checks.context import add_role_sources, role_sources, take
from lint.core.findings import CheckResult, Finding
from lint.core.intervals import group_codes, overlap_join
from lint.core.model import MS_PER_SECOND
from lint.core.text import normalise_many, similarity


@check("LIVE001", fields=("store", "official_account", "marketing_account", "overlap_s"), visual=Visual.SESSIONS,
       source_roles=True)
def simultaneous_live(ctx, params) -> CheckResult:
    """Each pair of LIVE sessions, Official and Marketing for one store, overlapping by at least `min_overlap_s`."""
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
    if len(oi) == 0:
        return CheckResult([])
    # Per-pair values as Python lists, taken once from the columns (no per-row pandas access).
    o, m = _pick(off, oi), _pick(mkt, mj)
    osource, msource = role_sources(off, mkt)
    start = np.maximum(off["start"].to_numpy()[oi], mkt["start"].to_numpy()[mj]).tolist()
    end = np.minimum(off["until"].to_numpy()[oi], mkt["until"].to_numpy()[mj]).tolist()
    titles = _normalised_titles(o["title"], m["title"])
    findings = []
    for k in range(len(start)):
        s, e = start[k], end[k]
        overlap_s = (e - s) / MS_PER_SECOND
        store, o_acc, m_acc = o["store_id"][k], o["account_id"][k], m["account_id"][k]
        evidence = _mirroring_evidence(o, m, k, overlap_s, titles)
        add_role_sources(evidence, osource[oi[k]], msource[mj[k]])
        findings.append(Finding(
            rule="LIVE001", store_id=store,
            accounts=list(dict.fromkeys([o_acc, m_acc])),
            subjects=[o["live_id"][k], m["live_id"][k]], start=s, end=e,
            evidence=evidence,
            fields={"store": store, "official_account": o_acc,
                    "marketing_account": m_acc, "overlap_s": overlap_s},
        ))
    return CheckResult(findings)


_COLUMNS = ("store_id", "account_id", "live_id", "stream_source", "title", "product_ids")


def _pick(frame, rows: np.ndarray) -> dict[str, list]:
    """The columns a finding reads, at `rows`; a column the table lacks reads as None."""
    present = [c for c in _COLUMNS if c in frame.columns]
    out = dict(zip(present, take(frame, rows, *present)))
    return {c: out.get(c, [None] * len(rows)) for c in _COLUMNS}


def _normalised_titles(*columns: list) -> dict:
    """Each distinct title -> its normalised form, normalised in one vectorised pass."""
    distinct = list(dict.fromkeys(t for col in columns for t in col if isinstance(t, str)))
    if not distinct:
        return {}
    return dict(zip(distinct, normalise_many(distinct).to_pylist()))


def _mirroring_evidence(o: dict, m: dict, k: int, overlap_s: float, titles: dict) -> dict:
    """Signals that the two sessions are one stream sent twice, where the data has them."""
    evidence = {"overlap_s": round(overlap_s, 3)}
    so, sm = o["stream_source"][k], m["stream_source"][k]
    if isinstance(so, str) and isinstance(sm, str):
        evidence["same_stream_source"] = so == sm
    to, tm = o["title"][k], m["title"][k]
    if isinstance(to, str) and isinstance(tm, str):
        evidence["title_similarity"] = round(similarity(titles[to], titles[tm]), 1)
    # the titles compared, as given (reporters escape them)
    if isinstance(to, str):
        evidence["official_title"] = to
    if isinstance(tm, str):
        evidence["marketing_title"] = tm
    po, pm = o["product_ids"][k], m["product_ids"][k]
    if isinstance(po, list) and isinstance(pm, list) and (po or pm):
        evidence["shared_products"] = sorted(set(po) & set(pm))
    return evidence
