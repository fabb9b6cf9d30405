"""Turn a finding into the words a person reads, in their language: shared by reporters."""
from __future__ import annotations

from functools import lru_cache

from lint.core.findings import Finding
from lint.ingest.timestamps import format_instant


def instant(result, ms: int, store_id: str) -> str:
    """ISO 8601 of `ms` in the store's time zone."""
    return format_instant(ms, result.zone_of(store_id))


def human_instant(result, ms: int, store_id: str) -> str:
    """'2025-03-10 19:00 WIB' style, for messages."""
    return human_instant_in(ms, result.zone_of(store_id))


@lru_cache(maxsize=1 << 16)
def human_instant_in(ms: int, zone: str) -> str:
    """'2025-03-10 19:00 WIB' in `zone` (remembered: a finding's instants are written in the
    report and again in each language of the mail companion)."""
    from lint.ingest.timestamps import local_datetime
    ts = local_datetime(ms, zone)
    fmt = "%Y-%m-%d %H:%M:%S" if ts.second or ms % 1000 else "%Y-%m-%d %H:%M"
    return f"{ts.strftime(fmt)} {_zone_abbreviation(ts)}"


# Indonesia's zones are written WIB/WITA/WIT by the people who read these reports.
_ID_ZONES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def _zone_abbreviation(ts) -> str:
    key = str(ts.tzinfo)
    if key in _ID_ZONES:
        return _ID_ZONES[key]
    name = ts.tzname() or ""
    return name if name and not name.startswith(("+", "-")) else f"UTC{ts.strftime('%z')[:3]}:{ts.strftime('%z')[3:]}"


def _duration(seconds: float, lang: str) -> str:
    # floored: 47 h 59 min 59.9 s must never read as 48 h
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    unit = {"en": ("h", "min", "s"), "id": ("jam", "menit", "detik")}[lang]
    parts = [f"{hours} {unit[0]}" if hours else "", f"{minutes} {unit[1]}" if minutes else "",
             f"{secs} {unit[2]}" if secs else ""]
    return " ".join(p for p in parts if p) or f"0 {unit[2]}"


def message(result, f: Finding, lang: str) -> str:
    """The finding's message in `lang`, from the rule's template and the finding's values."""
    rule = result.policy.rules[f.rule]
    values = {**result.params.get(f.rule, {}), **f.fields}
    values["start"] = human_instant(result, f.start, f.store_id)
    values["end"] = human_instant(result, f.end, f.store_id)
    for key in ("overlap", "held"):
        if f"{key}_s" in f.fields:
            values[key] = _duration(f.fields[f"{key}_s"], lang)
    if "signal" in f.fields:
        values["signal_label"] = result.policy.label(f.fields["signal"], lang)
    if "account_type" in f.fields:
        values["account_type_label"] = result.policy.label(f.fields["account_type"], lang)
    values = {k: _number(v, lang) for k, v in values.items()}
    return rule.message[lang].format_map(_Missing(values))


def fix(result, f: Finding, lang: str) -> str:
    """The rule's fix in `lang`."""
    return result.policy.rules[f.rule].fix[lang]


def _number(v, lang):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, float) and lang == "id":
        return f"{v:g}".replace(".", ",")
    if isinstance(v, float):
        return f"{v:g}"
    return v


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


# Headroom (the "headroom" of the JSON report, lint.reports.json_report.headroom_dict), in words.
def human_iso(text: str | None, zone: str) -> str:
    """An instant as the JSON report writes it -> '2026-01-01 10:00 WIB' in `zone` (parsed by
    datetime, not a pandas Timestamp per value: a report has one per bound account)."""
    from datetime import datetime, timedelta, timezone
    if not text:
        return ""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return human_instant_in((moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1), zone)


def _count(v, lang: str) -> str:
    return str(_number(v, lang))


def limit_words(limit: dict, label, zone: str, lang: str) -> tuple[str, str, str]:
    """-> (what is counted, 'used / allowed', what the next use does and when one frees up)."""
    name = limit["label"]
    if limit.get("window_days") is not None:
        name += f" ({_count(limit['window_days'], lang)} {label('hr_days')})"
    if limit["next_breaks"]:
        nxt = f"{label('hr_next_breaks')} {limit['rule']}"
    else:
        nxt = f"{label('hr_next_ok')} ({limit['left']} {label('hr_left')})"
    if limit.get("next_free"):
        nxt += f"; {label('hr_next_free')} {human_iso(limit['next_free'], zone)}"
    return name, f"{limit['used']} / {limit['allowed']}", nxt


def unbind_words(u: dict, label, zone: str) -> tuple[str, str]:
    """-> ('account (type), linked ...', 'may be unbound now' or 'not before ...')."""
    who = f"{u['account_id']} ({label(u['account_type'])}), {label('hr_bound_at')} {human_iso(u['bound_at'], zone)}"
    when = (label("hr_may_unbind_now") if u["may_unbind_now"]
            else f"{label('hr_not_before')} {human_iso(u['earliest_unbind'], zone)}")
    return who, when


def near_limit_stores(headroom: dict) -> list[str]:
    """The stores with a limit near its end (notices)."""
    return [s for s, h in headroom.items() if any(x.get("near_limit") for x in h["limits"])]


SPARK = "▁▂▃▄▅▆▇█"


def history_mark(history: dict, label) -> str:
    """A finding's mark against the history: 'new', 'open for 3 days'..."""
    if history.get("status") == "new":
        return label("history_new")
    days = int(history.get("days_open") or 0)
    if days == 0:
        return label("history_open_under_a_day")
    return label("history_open_day") if days == 1 else label("history_open_days").replace("{n}", str(days))


def sparkline(values: list[int | None]) -> str:
    """Counts as block characters (lowest to highest), readable in any mail app or terminal;
    a run that did not check (None) is a space."""
    top = max((v for v in values if v is not None), default=0)
    return "".join(" " if v is None else SPARK[0] if v <= 0 or top <= 0
                   else SPARK[max(1, round(v / top * (len(SPARK) - 1)))] for v in values)


def store_trend(trend: list[dict], store_id: str) -> dict[str, list[int | None]]:
    """{"": totals, rule: counts} per run (oldest first) for one store, from a report's
    history trend; None where the run did not run the rule."""
    rules = sorted({r for t in trend for r in (t["counts"].get(store_id) or {})})
    series: dict[str, list[int | None]] = {"": [sum((t["counts"].get(store_id) or {}).values()) for t in trend]}
    for rule in rules:
        series[rule] = [(t["counts"].get(store_id) or {}).get(rule, 0) if rule in t.get("rules_run", (rule,))
                        else None for t in trend]
    return series


def first_last(values: list[int | None]) -> str:
    """'6 → 4' from the first and last runs that counted."""
    shown = [v for v in values if v is not None]
    return f"{shown[0]} → {shown[-1]}" if shown else "—"


def snapshot_windows(windows: dict, label, human) -> list[str]:
    """'EVENT: after X, by Y' for each event of a ledger from snapshots (`human` formats an
    ISO instant for people)."""
    out = []
    for event, w in windows.items():
        after = f"{label('seen_after')} {human(w['after'])}" if w.get("after") else label("seen_first")
        out.append(f"{event}: {after}, {label('seen_by')} {human(w['by'])}")
    return out
