"""Findings as tables, for spreadsheets, warehouses and log shippers: CSV, Parquet, JSONL.

Every format carries the findings and the input errors (bad rows are listed in every
output). CSV cells that a spreadsheet would read as a formula are neutralised.
"""
from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq

from lint import __version__
from lint.core.result import Result
from lint.reports.json_report import finding_dict, headroom_dict, report_dict, summary

# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BASE_COLUMNS = ["record", "rule", "name", "severity", "store_id", "store_name", "accounts", "subjects",
                "window_start", "window_end", "message", "fix", "fingerprint", "baseline", "waiver_reason",
                "waiver_owner", "waiver_expires"]
ERROR_COLUMNS = ["file", "row", "column", "value", "level"]
# headroom rows (record "headroom"): a limit of a store, or when a bound account may be unbound
HEADROOM_COLUMNS = ["item", "used", "allowed", "left", "next_breaks", "next_free", "near_limit", "notice",
                    "account_type", "bound_at", "earliest_unbind", "may_unbind_now"]


def neutralise(value) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "'" + text if text.startswith(FORMULA_START) else text


def _evidence_keys(findings: list[dict]) -> list[str]:
    return sorted({k for f in findings for k in f["evidence"]})


def render_csv(result: Result, lang: str = "en", fail_on: str = "error", color: bool = False) -> str:
    """One row per finding (evidence flattened to evidence.*), then the input errors."""
    return csv_from_report(report_dict(result, lang, fail_on), policy=result.policy)


def csv_from_report(report: dict, stores: list[str] | None = None, policy=None) -> str:
    """The CSV of a JSON report (report_dict); with `stores`, only their findings and no
    input errors (one shop's attachment)."""
    findings = [f for f in report["findings"] if stores is None or f["store_id"] in stores]
    keys = _evidence_keys(findings)
    headroom = {s: h for s, h in report.get("headroom", {}).items() if stores is None or s in stores}
    history = HISTORY_COLUMNS if "history" in report else []
    header = (BASE_COLUMNS + [f"evidence.{k}" for k in keys] + ERROR_COLUMNS + history
              + (HEADROOM_COLUMNS if headroom else []))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for f in findings:
        row = ["finding", f["rule"], f["name"], f["severity"], f["store_id"], f["store_name"],
               "|".join(f["accounts"]), "|".join(f["subjects"]), f["window"]["start"], f["window"]["end"],
               f["message"], f["fix"], f["fingerprint"], f.get("baseline")]
        waiver = f.get("waiver") or {}
        row += [waiver.get("reason"), waiver.get("owner"), waiver.get("expires")]
        row += [f["evidence"].get(k) for k in keys]
        row += [None] * len(ERROR_COLUMNS) + (_history_cells(f.get("history")) if history else [])
        w.writerow([neutralise(v) for v in row + [None] * (len(header) - len(row))])
    for p in report["input_errors"] if stores is None else []:
        row = ["input_error"] + [None] * (len(BASE_COLUMNS) - 1) + [None] * len(keys)
        row[BASE_COLUMNS.index("message")] = p["message"]
        row += [p["file"], p["row"], p["column"], p["value"], p["level"]]
        w.writerow([neutralise(v) for v in row + [None] * (len(header) - len(row))])
    for row in _headroom_rows(report, headroom, len(keys) + len(history), policy):
        w.writerow([neutralise(v) for v in row])
    for row in _resolved_rows(report, stores, len(keys)) if history else []:
        w.writerow([neutralise(v) for v in row + [None] * (len(header) - len(row))])
    return buf.getvalue()


# With --history: each finding's mark, then one "resolved" row per finding gone since the last run.
HISTORY_COLUMNS = ["history_status", "history_first_seen", "history_open_since", "history_days_open",
                   "history_last_seen"]


def _history_cells(h: dict | None) -> list:
    h = h or {}
    return [h.get("status"), h.get("first_seen"), h.get("open_since"), h.get("days_open"), None]


def _resolved_rows(report: dict, stores: list[str] | None, n_evidence: int) -> list[list]:
    rows = []
    for r in report["history"].get("resolved", []):
        if stores is not None and r["store_id"] not in stores:
            continue
        row = ["resolved"] + [None] * (len(BASE_COLUMNS) - 1)
        row[BASE_COLUMNS.index("rule")] = r["rule"]
        row[BASE_COLUMNS.index("store_id")] = r["store_id"]
        row[BASE_COLUMNS.index("subjects")] = "|".join(r["subjects"])
        row[BASE_COLUMNS.index("fingerprint")] = r["fingerprint"]
        row += [None] * (n_evidence + len(ERROR_COLUMNS))
        row += ["resolved", r["first_seen"], None, None, r["last_seen"]]
        rows.append(row)
    return rows


def render_jsonl(result: Result, lang: str = "en", fail_on: str = "error", color: bool = False) -> str:
    """One JSON object per finding, then one per input error, then the summary."""
    lines = [json.dumps({"type": "finding", **finding_dict(result, f, lang)}, ensure_ascii=False)
             for f in result.findings]
    lines += [json.dumps({"type": "input_error", **p.to_dict()}, ensure_ascii=False) for p in result.problems]
    lines += [json.dumps({"type": "headroom", "store_id": s, **h}, ensure_ascii=False)
              for s, h in headroom_dict(result, lang).items()]
    if result.history is not None:  # what was resolved since the last run
        lines += [json.dumps({"type": "resolved", **r}, ensure_ascii=False)
                  for r in result.history.to_dict(result.timezone)["resolved"]]
    lines.append(json.dumps({"type": "summary", **summary(result, fail_on)}, ensure_ascii=False))
    return "\n".join(lines) + "\n"


PARQUET_SCHEMA = pa.schema([
    ("rule", pa.string()), ("name", pa.string()), ("severity", pa.string()),
    ("store_id", pa.string()), ("store_name", pa.string()),
    ("accounts", pa.list_(pa.string())), ("subjects", pa.list_(pa.string())),
    ("window_start", pa.timestamp("ms", tz="UTC")), ("window_end", pa.timestamp("ms", tz="UTC")),
    ("store_timezone", pa.string()),
    ("message", pa.string()), ("fix", pa.string()), ("fingerprint", pa.string()),
    ("evidence", pa.string()),  # JSON: its keys differ by rule
    ("baseline", pa.string()),  # new | existing, with --baseline
    ("waiver", pa.string()),  # JSON of the waiver that covers it
])


def render_parquet(result: Result, lang: str = "en", fail_on: str = "error", color: bool = False) -> bytes:
    """Typed columns, one row per finding; the rest of the report in the file's metadata."""
    rows = [finding_dict(result, f, lang) for f in result.findings]
    table = pa.table({
        "rule": [r["rule"] for r in rows], "name": [r["name"] for r in rows],
        "severity": [r["severity"] for r in rows], "store_id": [r["store_id"] for r in rows],
        "store_name": [r["store_name"] for r in rows], "accounts": [r["accounts"] for r in rows],
        "subjects": [r["subjects"] for r in rows],
        "window_start": [f.start for f in result.findings], "window_end": [f.end for f in result.findings],
        "store_timezone": [result.zone_of(f.store_id) for f in result.findings],
        "message": [r["message"] for r in rows], "fix": [r["fix"] for r in rows],
        "fingerprint": [r["fingerprint"] for r in rows],
        "evidence": [json.dumps(r["evidence"], ensure_ascii=False, sort_keys=True) for r in rows],
        "baseline": [r.get("baseline") for r in rows],
        "waiver": [json.dumps(r["waiver"], ensure_ascii=False, sort_keys=True) if r.get("waiver") else None
                   for r in rows],
    }, schema=PARQUET_SCHEMA)
    if result.history is not None:  # each finding's mark; what was resolved is in the metadata's "history"
        table = _with_history_columns(table, rows)
    head = report_dict(result, lang, fail_on)
    meta = {k: v for k, v in head.items() if k not in ("findings",)}
    table = table.replace_schema_metadata({b"shoplint": json.dumps(meta, ensure_ascii=False).encode("utf-8"),
                                           b"shoplint.version": __version__.encode()})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def _headroom_rows(report: dict, headroom: dict, n_between: int, policy=None) -> list[list]:
    """One row per limit and per bound account of each store (record 'headroom'), after the
    findings and input errors; `message` says it in words. `n_between`: how many evidence and
    history columns the header has besides the base and error columns (all empty here)."""
    from lint.reports.wording import limit_words, unbind_words
    lang = report.get("language", "en")
    if policy is None:
        from lint.pipeline import load_pack
        policy = load_pack()
    label = lambda key: policy.label(key, lang)  # noqa: E731
    stores = report.get("stores", {})
    out = []
    blank = [None] * (len(BASE_COLUMNS) + n_between + len(ERROR_COLUMNS))
    at = {c: i for i, c in enumerate(BASE_COLUMNS)}
    for store_id, h in headroom.items():
        zone = (stores.get(store_id) or {}).get("timezone") or report.get("timezone") or "Asia/Jakarta"
        name = (stores.get(store_id) or {}).get("name")
        for limit in h["limits"]:
            row = list(blank)
            what, used, nxt = limit_words(limit, label, zone, lang)
            row[at["record"]], row[at["rule"]], row[at["store_id"]], row[at["store_name"]] = (
                "headroom", limit["rule"], store_id, name)
            row[at["message"]] = f"{what}: {used} — {nxt}"
            out.append(row + [limit["item"], limit["used"], limit["allowed"], limit["left"], limit["next_breaks"],
                              limit["next_free"], limit["near_limit"], limit.get("notice"), None, None, None, None])
        for u in h["unbind_after"]:
            row = list(blank)
            who, when = unbind_words(u, label, zone)
            row[at["record"]], row[at["rule"]], row[at["store_id"]], row[at["store_name"]] = (
                "headroom", u["rule"], store_id, name)
            row[at["accounts"]], row[at["message"]] = u["account_id"], f"{label('hr_unbind_after')}: {who} — {when}"
            out.append(row + ["unbind_after", None, None, None, None, None, None, None, u["account_type"],
                              u["bound_at"], u["earliest_unbind"], u["may_unbind_now"]])
    return out


def _with_history_columns(table: pa.Table, rows: list[dict]) -> pa.Table:
    def ts(key):
        import pandas as pd
        return pa.array([pd.Timestamp(r["history"][key]).value // 1_000_000 if r.get("history") else None
                         for r in rows], pa.timestamp("ms", tz="UTC"))
    table = table.append_column("history_status", pa.array([(r.get("history") or {}).get("status") for r in rows],
                                                           pa.string()))
    table = table.append_column("history_first_seen", ts("first_seen"))
    table = table.append_column("history_open_since", ts("open_since"))
    return table.append_column("history_days_open", pa.array([(r.get("history") or {}).get("days_open")
                                                              for r in rows], pa.int32()))
