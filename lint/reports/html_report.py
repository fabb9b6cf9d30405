"""One self-contained HTML page for people: a summary first, then one section per store.

Made for a phone's mail app as much as a browser: inline styles only (mail apps drop
<style>), tables for layout, pictures embedded as small data: URIs, no script at all and a
Content-Security-Policy that forbids any (so an injected value could not run one either).
Every value that comes from the input goes through `esc`.
"""
from __future__ import annotations

import html

from lint.core.policy import SEVERITY_RANK
from lint.core.result import Result
from lint.reports import wording
from lint.reports.json_report import report_dict
from lint.reports.visuals import Visuals, as_fractions
from lint.reports.wording import human_instant_in, limit_words, near_limit_stores, unbind_words

SEVERITY_COLOUR = {"error": "#b42318", "warning": "#b54708", "info": "#175cd3"}
KIND_COLOUR = {"official": "#1d4ed8", "marketing": "#0e9384", "window": "#d92d20"}
FONT = "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif"
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
MAX_INPUT_ERRORS_SHOWN = 200


def esc(value) -> str:
    """`value` as HTML text: everything escaped, quotes included."""
    return html.escape("" if value is None else str(value), quote=True)


def number(value, lang: str) -> str:
    """1234.5 -> '1,234.5' (en) or '1.234,5' (id)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.0f}" if value.is_integer() else f"{value:,.3f}".rstrip("0").rstrip(".")
    else:
        return str(value)
    return text.translate(str.maketrans(",.", ".,")) if lang == "id" else text


def render(result: Result, lang: str = "en", fail_on: str = "error", color: bool = False) -> str:
    """The HTML report: one self-contained page, no script, pictures inline."""
    return render_report(report_dict(result, lang, fail_on), result.policy, result.visuals or Visuals())


def render_report(report: dict, policy, visuals: Visuals | None = None, stores: list[str] | None = None) -> str:
    """The page for a JSON report (report_dict); with `stores`, only those stores' findings
    (one shop's email). Pictures and time lines come from `visuals` when there are some."""
    lang = report.get("language", "en")
    fail_on = report["summary"].get("fail_on", "error")
    label = lambda key: policy.label(key, lang)  # noqa: E731
    visuals = visuals or Visuals()
    findings = [f for f in report["findings"] if stores is None or f["store_id"] in stores]
    by_store: dict[str, list[dict]] = {}
    for f in findings:
        by_store.setdefault(f["store_id"], []).append(f)
    names = {s: (v or {}).get("name") for s, v in report.get("stores", {}).items()}
    names.update({f["store_id"]: f.get("store_name") for f in report["findings"]})
    title = label("report_title") + (f" — {names.get(stores[0]) or stores[0]}" if stores and len(stores) == 1 else "")
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title></head>",
        f'<body style="margin:0;padding:12px;background:#f5f6f8;color:#1f2328;{FONT};font-size:15px;line-height:1.45">',
        '<div style="max-width:860px;margin:0 auto">',
        f'<h1 style="font-size:22px;margin:4px 0 2px">{esc(title)}</h1>',
        f'<div style="color:#555;font-size:13px">{esc(label("export"))}: {esc(report.get("export"))} · '
        f'{esc(label("as_of"))} {esc(_as_of(report))}</div>',
    ]
    out += _summary(report, policy, findings, by_store, names, fail_on, lang, label, stores)
    for store_id, items in by_store.items():
        out += _store_section(store_id, names, items, visuals, lang, label)
        out += store_history(report, store_id, lang, label)
    out += _history_only_stores(report, by_store, stores, names, lang, label)
    out += _headroom(report, stores, lang, label)
    if stores is None:
        out += _input_errors(report["input_errors"], label, lang)
    out.append("</div></body></html>")
    return "\n".join(out) + "\n"


def _as_of(report: dict) -> str:
    import pandas as pd
    try:
        ms = pd.Timestamp(report["as_of"]).value // 1_000_000
        return human_instant_in(ms, report.get("timezone") or "Asia/Jakarta")
    except (KeyError, ValueError, TypeError):
        return str(report.get("as_of", ""))


def _badge(text: str, colour: str) -> str:
    return (f'<span style="display:inline-block;padding:1px 8px;border-radius:10px;background:{colour};'
            f'color:#fff;font-size:12px;font-weight:600">{esc(text)}</span>')


def _card(inner: list[str]) -> list[str]:
    return ['<div style="background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 14px;'
            'margin:10px 0">', *inner, "</div>"]


def _failing(f: dict, fail_on: str) -> bool:
    return fail_on != "never" and SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK[fail_on]


def _summary(report, policy, findings, by_store, names, fail_on, lang, label, stores=None) -> list[str]:
    failing = [f for f in findings if _failing(f, fail_on)]
    by_sev: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    for f in findings:
        by_sev[f["severity"]] = by_sev.get(f["severity"], 0) + 1
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    inner = [f'<h2 style="font-size:18px;margin:0 0 8px">{esc(label("summary"))}</h2>',
             f'<p style="margin:0 0 8px" id="finding-count"><b style="font-size:20px">{number(len(findings), lang)}</b> '
             f'{esc(label("findings"))} {esc(label("in"))} {number(len(by_store), lang)} '
             f'{esc(label("store_one" if len(by_store) == 1 else "stores"))}'
             f' · {number(len(failing), lang)} {esc(label("at_or_above"))} “{esc(label(fail_on))}”</p>']
    if by_sev:
        inner.append("<p style='margin:0 0 8px'>" + " ".join(
            _badge(f"{label(s)}: {number(n, lang)}", SEVERITY_COLOUR.get(s, "#555"))
            for s, n in sorted(by_sev.items())) + "</p>")
    if not findings:
        inner.append(f"<p>{esc(label('no_findings'))}</p>")
    near = [s for s in near_limit_stores(report.get("headroom", {})) if stores is None or s in stores]
    if near:
        inner.append(f'<p class="near-limit" style="margin:0 0 8px">'
                     f'{_badge(label("warning"), SEVERITY_COLOUR["warning"])} '
                     + ", ".join(f'<a href="#headroom-{esc(s)}" style="color:#0969da">{esc(_store_title(names, s))}</a>'
                                 for s in near)
                     + f" {esc(label('hr_near_limit_notices'))}</p>")
    if by_rule:
        inner.append(f'<h3 style="font-size:15px;margin:10px 0 4px">{esc(label("findings_by_rule"))}</h3>')
        inner.append(_table([label("rule"), "", label("count")],
                            [[esc(code), esc(policy.rules[code].name if code in policy.rules else ""),
                              number(n, lang)]
                             for code, n in sorted(by_rule.items())]))
    if len(by_store) > 1:
        ranked = sorted(by_store.items(), key=lambda kv: (-len([f for f in kv[1] if _failing(f, fail_on)]),
                                                          -len(kv[1]), kv[0]))[:5]
        inner.append(f'<h3 style="font-size:15px;margin:10px 0 4px">{esc(label("stores_at_risk"))}</h3>')
        inner.append(_table([label("store"), label("findings")],
                            [[f'<a href="#store-{esc(s)}" style="color:#0969da">{esc(_store_title(names, s))}</a>',
                              number(len(items), lang)] for s, items in ranked]))
    for code, why in sorted(report.get("rules", {}).get("not_run", {}).items()):
        inner.append(f'<p style="color:#555;font-size:13px;margin:4px 0">{esc(label("not_run"))}: '
                     f"{esc(code)} ({esc(why)})</p>")
    return _card(inner)


def _store_title(names, store_id) -> str:
    name = names.get(store_id)
    return f"{store_id} — {name}" if name else store_id


def _store_section(store_id, names, items, visuals, lang, label) -> list[str]:
    out = [f'<h2 id="store-{esc(store_id)}" style="font-size:19px;margin:22px 0 4px">{esc(label("store"))} '
           f'{esc(_store_title(names, store_id))} <span style="color:#555;font-weight:normal;font-size:14px">'
           f'({number(len(items), lang)} {esc(label("finding" if len(items) == 1 else "findings"))})</span></h2>']
    for f in items:
        inner = [f'<div class="finding" data-rule="{esc(f["rule"])}">'
                 f'{_badge(label(f["severity"]), SEVERITY_COLOUR.get(f["severity"], "#555"))} '
                 f'<b>{esc(f["rule"])}</b> <span style="color:#555">{esc(f["name"])}</span>'
                 + (_history_badge(f, label) if f.get("history") else
                    " " + _badge(label("baseline_" + f["baseline"]), "#6941c6") if f.get("baseline") == "new" else "")
                 + (" " + _badge(label("waived"), "#667085") if f.get("waiver") else "") + "</div>",
                 f'<p style="margin:6px 0">{esc(f["message"])}</p>',
                 f'<p style="margin:6px 0;padding:6px 10px;background:#ecfdf3;border-left:3px solid #12b76a">'
                 f'<b>{esc(label("fix").capitalize())}:</b> {esc(f["fix"])}</p>']
        if f.get("waiver"):
            w = f["waiver"]
            inner.append(f'<p style="margin:6px 0;color:#475467;font-size:13px">{esc(label("waived"))}: '
                         f'{esc(w["reason"])} ({esc(w["owner"])}, {esc(label("until"))} {esc(w["expires"])})</p>')
        inner += _thumbnail_pair(f, visuals, label)  # findings whose evidence names two pictures
        inner += _frame_pair(f, visuals, label)  # ... and two matching video frames
        segments = visuals.timelines.get(f["fingerprint"])
        if segments:
            inner += _timeline(visuals.zones.get(f["fingerprint"], "Asia/Jakarta"), segments, label)
        inner += _evidence(f, lang, label)
        inner.append(f'<div style="color:#777;font-size:12px;margin-top:6px">{esc(label("subjects"))}: '
                     f'{esc(", ".join(f["subjects"]))} · {esc(label("fingerprint"))} {esc(f["fingerprint"])}</div>')
        out += _card(inner)
    return out


def _thumbnail_pair(f, visuals, label) -> list[str]:
    paths = f["evidence"].get("thumbnails") or []
    if len(paths) != 2:
        return []
    cells = []
    for path, key, video in zip(paths, ("official_video", "marketing_video"), f["subjects"]):
        uri = visuals.images.get(path)
        picture = (f'<img src="{esc(uri)}" alt="{esc(video)}" width="144" '
                   f'style="display:block;width:144px;max-width:100%;height:auto;border-radius:6px;border:1px solid #d0d7de">'
                   if uri else f'<div style="width:144px;height:90px;background:#eee;color:#777;font-size:12px;'
                               f'padding:6px">{esc(path)}</div>')
        cells.append(f'<td style="padding:4px 10px 4px 0;vertical-align:top">{picture}'
                     f'<div style="font-size:12px;color:#555">{esc(label(key))} · {esc(video)}</div></td>')
    return [f'<table class="thumb-pair" role="presentation" style="border-collapse:collapse;margin:6px 0"><tr>'
            f'{"".join(cells)}</tr></table>']


def _frame_pair(f, visuals, label) -> list[str]:
    """The best-matching frames of two videos side by side, with their times."""
    from lint.reports.visuals import frame_key
    files = f["evidence"].get("video_files") or []
    times = f["evidence"].get("video_best_frames_s") or []
    if len(files) != 2 or len(times) != 2:
        return []
    cells = []
    for path, seconds, video in zip(files, times, f["subjects"]):
        uri = visuals.images.get(frame_key(path, seconds))
        if not uri:
            return []  # both or neither: half a pair explains nothing
        clock = f"{int(seconds) // 60}:{int(seconds) % 60:02d}"
        cells.append(f'<td style="padding:4px 10px 4px 0;vertical-align:top"><img src="{esc(uri)}" '
                     f'alt="{esc(video)} {esc(clock)}" width="144" style="display:block;width:144px;max-width:100%;'
                     f'height:auto;border-radius:6px;border:1px solid #d0d7de"><div style="font-size:12px;color:#555">'
                     f'{esc(label("matching_frame"))} · {esc(video)} {esc(clock)}</div></td>')
    return [f'<table class="frame-pair" role="presentation" style="border-collapse:collapse;margin:6px 0"><tr>'
            f'{"".join(cells)}</tr></table>']


def _timeline(zone, segments, label) -> list[str]:
    """One row per account (or session), its bindings as bars on a shared time axis; the
    finding's window as the last row. Tables, not positioning: mail apps keep tables."""
    placed = as_fractions(segments)
    rows: dict[tuple[str, str], list] = {}
    for seg, start, width in placed:
        rows.setdefault((seg.label or label("window"), seg.kind), []).append((seg, start, width))
    lo = min(s.start for s in segments)
    hi = max(s.end for s in segments)
    out_rows = []
    for (name, kind), bars in rows.items():
        colour = KIND_COLOUR.get(kind, "#555")
        cells, cursor = [], 0.0
        for seg, start, width in sorted(bars, key=lambda b: b[1]):
            start = max(start, cursor)
            when = (f"{human_instant_in(seg.start, zone)} → "
                    + (label("still_open") if seg.open_end else human_instant_in(seg.end, zone)))
            if start > cursor:
                cells.append(f'<td style="width:{(start - cursor) * 100:.2f}%;padding:0"></td>')
            cells.append(f'<td title="{esc(when)}" style="width:{max(width, 0.004) * 100:.2f}%;padding:0;'
                         f'background:{colour};height:12px;border-radius:3px'
                         f'{";opacity:.6" if kind == "window" else ""}"></td>')
            cursor = start + width
        cells.append('<td style="padding:0"></td>')
        caption = ""
        if kind == "window":
            seg = bars[0][0]
            caption = (f'<div style="font-size:11px;color:#777">{esc(human_instant_in(seg.start, zone))}'
                       f' → {esc(human_instant_in(seg.end, zone))}</div>')
        elif len(bars) == 1:
            seg = bars[0][0]
            caption = (f'<div style="font-size:11px;color:#777">{esc(human_instant_in(seg.start, zone))}'
                       f' → {esc(label("still_open") if seg.open_end else human_instant_in(seg.end, zone))}'
                       f"</div>")
        out_rows.append(f'<tr><td style="padding:2px 8px 2px 0;font-size:12px;white-space:nowrap;color:{colour}">'
                        f'{esc(name)}</td><td style="padding:2px 0;width:72%"><table role="presentation" '
                        f'style="width:100%;border-collapse:collapse;background:#f2f4f7;table-layout:fixed"><tr>'
                        f'{"".join(cells)}</tr></table>{caption}</td></tr>')
    axis = (f'<tr><td></td><td style="font-size:11px;color:#777;padding:0"><span>{esc(human_instant_in(lo, zone))}'
            f'</span><span style="float:right">{esc(human_instant_in(hi, zone))}</span></td></tr>')
    return [f'<div class="timeline" style="margin:6px 0"><div style="font-size:13px;font-weight:600">'
            f'{esc(label("timeline"))}</div><table role="presentation" style="width:100%;border-collapse:collapse">'
            f'{axis}{"".join(out_rows)}</table></div>']


def _evidence(f, lang, label) -> list[str]:
    rows = []
    for key, value in f["evidence"].items():
        if key == "thumbnails":
            continue
        if key == "snapshot_windows":
            shown = "; ".join(wording.snapshot_windows(value, label, str))
        elif isinstance(value, bool):
            shown = label("yes" if value else "no")
        elif isinstance(value, dict):
            shown = " · ".join(f"{k} {number(v, lang)}" for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            shown = ", ".join(str(v) for v in value) or "—"
        elif key == "decided_by":
            shown = label(f"dup_{value}")
        else:
            shown = number(value, lang)
        name = label(f"ev_{key}")
        rows.append([esc(name if not name.startswith("ev_") else key.replace("_", " ")), esc(shown)])
    if not rows:
        return []
    return [f'<div style="font-size:13px;font-weight:600;margin-top:6px">{esc(label("evidence"))}</div>',
            _table(None, rows, small=True)]


def _table(header, rows, small=False) -> str:
    size = "13px" if small else "14px"
    head = ("<tr>" + "".join(f'<th style="text-align:left;padding:3px 10px 3px 0;border-bottom:1px solid #d0d7de">'
                             f"{esc(h)}</th>" for h in header) + "</tr>") if header else ""
    body = "".join("<tr>" + "".join(f'<td style="padding:3px 10px 3px 0;vertical-align:top">{c}</td>' for c in r)
                   + "</tr>" for r in rows)
    return f'<table style="border-collapse:collapse;font-size:{size}">{head}{body}</table>'


def _input_errors(problems: list[dict], label, lang) -> list[str]:
    if not problems:
        return []
    shown = problems[:MAX_INPUT_ERRORS_SHOWN]
    rows = [[esc(p["file"]), esc(p["row"] if p["row"] is not None else ""), esc(p["column"] or ""),
             esc(p["message"]) + (f" <code>{esc(p['value'])}</code>" if p.get("value") else "")] for p in shown]
    inner = [f'<h2 id="input-errors" style="font-size:18px;margin:0 0 8px">{esc(label("input_errors"))} '
             f"({number(len(problems), lang)})</h2>",
             _table([label("file"), label("row"), label("column"), label("message")], rows, small=True)]
    if len(problems) > len(shown):
        inner.append(f"<p>… {number(len(problems) - len(shown), lang)} {esc(label('more_input_errors'))}</p>")
    return _card(inner)


def _headroom(report: dict, stores: list[str] | None, lang: str, label) -> list[str]:
    """One card per store: each limit used / allowed, what the next use does and when one
    frees up (a near limit marked as a warning), then when each bound account may be unbound."""
    headroom = {s: h for s, h in report.get("headroom", {}).items() if stores is None or s in stores}
    if not headroom:
        return []
    names = {s: (v or {}).get("name") for s, v in report.get("stores", {}).items()}
    zones = {s: (v or {}).get("timezone") for s, v in report.get("stores", {}).items()}
    out = [f'<h2 id="headroom" style="font-size:19px;margin:22px 0 4px">{esc(label("headroom"))} '
           f'<span style="color:#555;font-weight:normal;font-size:14px">({esc(label("as_of"))} '
           f'{esc(_as_of(report))})</span></h2>']
    for store_id, h in headroom.items():
        zone = zones.get(store_id) or report.get("timezone") or "Asia/Jakarta"
        rows = []
        for limit in h["limits"]:
            what, used, nxt = limit_words(limit, label, zone, lang)
            mark = (" " + _badge(f'{label("warning")}: {label("hr_near_limit")}', SEVERITY_COLOUR["warning"])
                    if limit["near_limit"] else "")
            rows.append([esc(what), f"<b>{esc(used)}</b>", esc(nxt) + mark])
        inner = [f'<h3 id="headroom-{esc(store_id)}" style="font-size:16px;margin:0 0 6px">{esc(label("store"))} '
                 f'{esc(_store_title(names, store_id))}</h3>',
                 f'<div class="headroom" data-store="{esc(store_id)}">'
                 + _table([label("hr_item"), label("hr_used"), label("hr_next")], rows, small=True) + "</div>"]
        if h["unbind_after"]:
            unbinds = [[esc(who), esc(when)] for who, when in (unbind_words(u, label, zone) for u in h["unbind_after"])]
            inner.append('<div class="unbind-after" style="margin-top:8px">'
                         + _table([label("hr_account"), label("hr_unbind_after")], unbinds, small=True) + "</div>")
        out += _card(inner)
    return out


# ---------------------------------------------------------------- --history: marks, resolved, trend

TREND_COLOUR = "#175cd3"
TREND_ZERO = "#d0d7de"
TREND_HEIGHT = 28


def _history_badge(f: dict, label) -> str:
    from lint.reports.wording import history_mark
    h = f["history"]
    return " " + _badge(history_mark(h, label), "#6941c6" if h.get("status") == "new" else "#475467")


def _history_only_stores(report, by_store, stores, names, lang, label) -> list[str]:
    """Stores with nothing open but something resolved since the last run."""
    resolved = {r["store_id"] for r in report.get("history", {}).get("resolved", [])}
    out = []
    for store_id in sorted(resolved - set(by_store)):
        if stores is not None and store_id not in stores:
            continue
        out.append(f'<h2 id="store-{esc(store_id)}" style="font-size:19px;margin:22px 0 4px">{esc(label("store"))} '
                   f'{esc(_named(report, store_id))}</h2>')
        out += store_history(report, store_id, lang, label)
    return out


def _named(report, store_id) -> str:
    name = (report.get("stores", {}).get(store_id) or {}).get("name")
    return f"{store_id} — {name}" if name else store_id


def store_history(report: dict, store_id: str, lang: str, label) -> list[str]:
    """With --history: what was resolved in this store since the last run, and its trend
    chart (bars as table cells with bgcolor/height attributes: visible in mail apps that
    strip styles)."""
    history = report.get("history")
    if not history:
        return []
    inner = []
    resolved = [r for r in history.get("resolved", []) if r["store_id"] == store_id]
    if resolved:
        inner.append(f'<h3 class="resolved" style="font-size:15px;margin:0 0 4px">'
                     f'{esc(label("history_resolved_since"))} ({number(len(resolved), lang)})</h3>')
        inner.append(_table([label("rule"), label("subjects"), label("history_first_seen"),
                             label("history_last_seen")],
                            [[esc(r["rule"]), esc(", ".join(r["subjects"])), esc(str(r["first_seen"])[:10]),
                              esc(str(r["last_seen"])[:10])] for r in resolved], small=True))
    inner += trend_chart(history.get("trend", []), store_id, label)
    return _card(inner)


def trend_chart(trend: list[dict], store_id: str, label) -> list[str]:
    """One row per rule (and all rules first), one bar per run, oldest left."""
    from lint.reports.wording import first_last, store_trend
    if not trend:
        return []
    series = store_trend(trend, store_id)
    rows = []
    for rule, values in series.items():
        top = max((v for v in values if v is not None), default=0)
        cells = []
        for t, v in zip(trend, values):
            when = str(t["as_of"])[:10]
            if v is None:
                cells.append(f'<td width="8" height="{TREND_HEIGHT}" style="padding:0 1px;width:8px"></td>')
                continue
            h = 1 if v <= 0 or top <= 0 else max(2, round(v / top * TREND_HEIGHT))
            colour = TREND_ZERO if v <= 0 else TREND_COLOUR
            cells.append(f'<td valign="bottom" width="8" height="{TREND_HEIGHT}" style="padding:0 1px;width:8px;'
                         f'height:{TREND_HEIGHT}px;vertical-align:bottom"><table role="presentation" cellpadding="0" '
                         f'cellspacing="0" border="0" width="6" style="border-collapse:collapse"><tr>'
                         f'<td class="bar" data-count="{v}" title="{esc(when)}: {v}" bgcolor="{colour}" width="6" '
                         f'height="{h}" style="width:6px;height:{h}px;background:{colour};font-size:0;line-height:0">'
                         f'</td></tr></table></td>')
        name = esc(rule) if rule else esc(label("history_all_rules"))
        rows.append(f'<tr data-rule="{esc(rule)}"><td nowrap style="padding:0 8px 0 0;font-size:12px;'
                    f'white-space:nowrap">{name}</td>{"".join(cells)}<td nowrap style="padding:0 0 0 8px;'
                    f'font-size:12px;white-space:nowrap">{esc(first_last(values))}</td></tr>')
    title = (label("history_trend").replace("{n}", str(len(trend)))
             + f' ({str(trend[0]["as_of"])[:10]} → {str(trend[-1]["as_of"])[:10]})')
    return [f'<div style="font-size:13px;font-weight:600;margin-top:6px">{esc(title)}</div>',
            f'<table class="trend" role="presentation" cellpadding="0" cellspacing="0" border="0" '
            f'style="border-collapse:collapse;margin:4px 0">{"".join(rows)}</table>']
