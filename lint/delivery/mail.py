"""Email each shop its own report: one message per store to stores.manager_email (or --to).

A message has a subject with the store's name and counts, the store's HTML report as the
body (inline styles: mail apps drop <style>), a plain-text alternative, and the store's CSV
attached. It is built from a JSON report, so `shoplint email REPORT.json` and
`shoplint check ... --email` send the same thing.

Delivery: SMTP with STARTTLS, implicit TLS or neither; each message is retried with
back-off, and one that still fails is kept in the outbox folder as an .eml and reported
(exit 1) while the other stores go on. `--dry-run` only writes the .eml files. The outbox's
sent.log records each message sent (by a Message-ID derived from the report and the store),
so a repeated run with `--resume` sends nothing twice.

Header safety: values from the input (store names, addresses) lose every control character
before they reach a header, so no input can add a header; addresses are validated.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr
from pathlib import Path

from lint.reports.html_report import render_report
from lint.reports.table_reports import csv_from_report
from lint.reports.visuals import Visuals

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A pragmatic address check: one @, no spaces or controls, a dot in the domain.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


class MailError(Exception):
    """Unusable mail settings (exit 2)."""


@dataclass
class SmtpSettings:
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    sender: str = "shoplint <noreply@shoplint.invalid>"
    timeout: float = 30.0
    retries: int = 3
    backoff_s: float = 2.0

    @classmethod
    def from_env(cls, **given) -> "SmtpSettings":
        """Options given on the command line win over SHOPLINT_SMTP_* variables."""
        env = os.environ
        port = given.get("port") or env.get("SHOPLINT_SMTP_PORT")
        security = (given.get("security") or env.get("SHOPLINT_SMTP_SECURITY") or "starttls").lower()
        if security not in ("starttls", "ssl", "none"):
            raise MailError(f"SMTP security {security!r}: use starttls, ssl or none")
        try:
            port = int(port) if port else (465 if security == "ssl" else 587 if security == "starttls" else 25)
        except ValueError:
            raise MailError(f"SMTP port {port!r} is not a number") from None
        s = cls(host=given.get("host") or env.get("SHOPLINT_SMTP_HOST"), port=port,
                user=given.get("user") or env.get("SHOPLINT_SMTP_USER"),
                password=given.get("password") or env.get("SHOPLINT_SMTP_PASSWORD"), security=security,
                sender=given.get("sender") or env.get("SHOPLINT_SMTP_FROM") or cls.sender)
        if given.get("retries") is not None:
            s.retries = int(given["retries"])
        if given.get("backoff_s") is not None:
            s.backoff_s = float(given["backoff_s"])
        if not valid_address(parseaddr(s.sender)[1]):
            raise MailError(f"sender {s.sender!r} is not an email address")
        return s


def header_text(value) -> str:
    """`value` made safe for a mail header: control characters (CR, LF...) removed."""
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())


def valid_address(address: str) -> bool:
    """Whether `address` looks like one email address (no display name, no list)."""
    return bool(address) and len(address) <= 254 and _ADDRESS.match(address) is not None


def split_addresses(value) -> list[str]:
    """'a@x.id; b@y.id' -> ['a@x.id', 'b@y.id'] (commas, semicolons, | or spaces)."""
    return [a for a in re.split(r"[,;|\s]+", str(value or "")) if a]


@dataclass
class Outcome:
    store_id: str
    recipients: list[str]
    status: str  # "sent" | "skipped-sent-before" | "dry-run" | "failed" | "no-address" | "invalid-address"
    detail: str = ""
    eml: str | None = None


@dataclass
class Delivery:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(o.status in ("failed", "invalid-address", "no-address") for o in self.outcomes)


def _labels(policy, lang):
    return lambda key: policy.label(key, lang)


def store_subject(report: dict, store_id: str, policy) -> str:
    """The subject of a store's message: its name and its counts."""
    lang = report.get("language", "en")
    label = _labels(policy, lang)
    findings = [f for f in report["findings"] if f["store_id"] == store_id]
    name = (report.get("stores", {}).get(store_id) or {}).get("name") or store_id
    by_sev: dict[str, int] = {}
    for f in findings:
        by_sev[f["severity"]] = by_sev.get(f["severity"], 0) + 1
    counts = ", ".join(f"{n} {label(s)}" for s, n in sorted(by_sev.items())) or label("no_findings").split(":")[0]
    return header_text(f"[shoplint] {name} ({store_id}): {len(findings)} "
                       f"{label('finding' if len(findings) == 1 else 'findings')} — {counts}")


def store_text(report: dict, store_id: str, policy) -> str:
    """The plain-text alternative: each finding's message and fix."""
    label = _labels(policy, report.get("language", "en"))
    name = (report.get("stores", {}).get(store_id) or {}).get("name") or store_id
    lines = [f"{label('report_title')} — {name} ({store_id}), {label('as_of')} {report.get('as_of')}", ""]
    for f in (f for f in report["findings"] if f["store_id"] == store_id):
        lines += [f"[{f['severity']}]{_history_mark(f, label)} {f['rule']} {f['name']}: {f['message']}",
                  f"    {label('fix')}: {f['fix']}", f"    {label('subjects')}: {', '.join(f['subjects'])}", ""]
    if len(lines) == 2:
        lines.append(label("no_findings"))
        lines.append("")
    lines += _headroom_text(report, store_id, label)
    lines += history_text(report, store_id, label)
    return "\n".join(_CONTROL.sub(" ", line) if line else line for line in lines) + "\n"


def _headroom_text(report: dict, store_id: str, label) -> list[str]:
    """The store's headroom, as the text report words it."""
    from lint.reports.wording import limit_words, unbind_words
    h = report.get("headroom", {}).get(store_id)
    if not h:
        return []
    zone = (report.get("stores", {}).get(store_id) or {}).get("timezone") or report.get("timezone") or "Asia/Jakarta"
    lang = report.get("language", "en")
    lines = [f"{label('headroom')} ({label('as_of')} {report.get('as_of')})"]
    for limit in h["limits"]:
        what, used, nxt = limit_words(limit, label, zone, lang)
        mark = f" [{label('warning')}: {label('hr_near_limit')}]" if limit["near_limit"] else ""
        lines.append(f"  {what}: {used} — {nxt}{mark}")
    for u in h["unbind_after"]:
        who, when = unbind_words(u, label, zone)
        lines.append(f"  {label('hr_unbind_after')}: {who} — {when}")
    return lines


def message_id(report: dict, store_id: str) -> str:
    """Stable for the same report and store: what --resume recognises."""
    fingerprints = sorted(f["fingerprint"] for f in report["findings"] if f["store_id"] == store_id)
    key = json.dumps([report.get("export"), report.get("as_of"), store_id, fingerprints])
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@shoplint>"


def build_message(report: dict, store_id: str, recipients: list[str], policy, settings: SmtpSettings,
                  visuals: Visuals | None = None) -> EmailMessage:
    """The store's message: HTML body, plain-text alternative and its CSV attached."""
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = store_subject(report, store_id, policy)
    msg["From"] = header_text(settings.sender)
    msg["To"] = ", ".join(recipients)
    msg["Message-ID"] = message_id(report, store_id)
    msg["X-Shoplint-Store"] = header_text(store_id)
    msg.set_content(store_text(report, store_id, policy))
    msg.add_alternative(render_report(report, policy, visuals, stores=[store_id]), subtype="html")
    safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", store_id)[:60] or "store"
    msg.add_attachment(csv_from_report(report, stores=[store_id], policy=policy).encode("utf-8"), maintype="text",
                       subtype="csv", filename=f"shoplint-{safe_id}.csv")
    return msg


def _send_once(msg: EmailMessage, recipients: list[str], s: SmtpSettings):
    context = ssl.create_default_context()
    if s.security == "ssl":
        client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
    else:
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
    with client:
        if s.security == "starttls":
            client.starttls(context=context)
        if s.user:
            client.login(s.user, s.password or "")
        refused = client.send_message(msg, to_addrs=recipients)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


def _outbox_file(outbox: Path, store_id: str, msg: EmailMessage) -> Path:
    safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", store_id)[:60] or "store"
    return outbox / f"{safe_id}-{msg['Message-ID'].strip('<>').split('@')[0][:12]}.eml"


def _write_eml(path: Path, msg: EmailMessage):
    tmp = path.with_suffix(".eml.tmp")
    tmp.write_bytes(msg.as_bytes())
    os.replace(tmp, path)


def _sent_before(outbox: Path) -> set[str]:
    log = outbox / "sent.log"
    return set(log.read_text(encoding="utf-8").split()) if log.exists() else set()


def deliver(report: dict, policy, settings: SmtpSettings, outbox: Path, *, to: list[str] | None = None,
            dry_run: bool = False, resume: bool = False, send_clean: bool = False,
            visuals: Visuals | None = None, localise=None, sleep=time.sleep) -> Delivery:
    """One message per store with findings or near a limit (every store with --send-clean).
    A store with a `language` other than the report's gets its message in that language when
    `localise(lang)` gives the report in it (the run's Result, or the mail companion's texts)."""
    outbox.mkdir(parents=True, exist_ok=True)
    if not dry_run and not settings.host:
        raise MailError("no SMTP server: give --smtp-host or SHOPLINT_SMTP_HOST (or --dry-run)")
    stores = report.get("stores", {})
    from lint.reports.wording import near_limit_stores
    with_findings = sorted({f["store_id"] for f in report["findings"]}
                           | set(near_limit_stores(report.get("headroom", {}))) | _resolved_stores(report))
    targets = sorted(set(stores) | set(with_findings)) if send_clean else with_findings
    done = _sent_before(outbox) if resume else set()
    result = Delivery()
    for store_id in targets:
        raw = to if to else split_addresses((stores.get(store_id) or {}).get("manager_email"))
        if not raw:
            result.outcomes.append(Outcome(store_id, [], "no-address", "no manager_email and no --to"))
            continue
        bad = [a for a in raw if not valid_address(a)]
        if bad:
            result.outcomes.append(Outcome(store_id, [], "invalid-address",
                                           "not an email address: " + ", ".join(header_text(a) for a in bad)))
            continue
        lang = (stores.get(store_id) or {}).get("language")
        shown = report
        if localise is not None and lang and lang != report.get("language", "en"):
            shown = localise(lang) or report
        msg = build_message(shown, store_id, raw, policy, settings, visuals)
        eml = _outbox_file(outbox, store_id, msg)
        if msg["Message-ID"] in done:
            result.outcomes.append(Outcome(store_id, raw, "skipped-sent-before"))
            continue
        if dry_run:
            _write_eml(eml, msg)
            result.outcomes.append(Outcome(store_id, raw, "dry-run", eml=str(eml)))
            continue
        error = ""
        for attempt in range(settings.retries + 1):
            try:
                _send_once(msg, raw, settings)
                error = ""
                break
            except (smtplib.SMTPException, OSError, socket.timeout) as e:
                error = f"{type(e).__name__}: {e}"
                if attempt < settings.retries:
                    sleep(settings.backoff_s * (2 ** attempt))
        if error:
            _write_eml(eml, msg)
            result.outcomes.append(Outcome(store_id, raw, "failed", error[:300], str(eml)))
            continue
        with open(outbox / "sent.log", "a", encoding="utf-8") as log:
            log.write(msg["Message-ID"] + "\n")
        eml.unlink(missing_ok=True)  # a message kept from an earlier failure is now sent
        result.outcomes.append(Outcome(store_id, raw, "sent"))
    return result


# ---------------------------------------------------------------- --history


def _history_mark(f: dict, label) -> str:
    from lint.reports.wording import history_mark
    return f" [{history_mark(f['history'], label)}]" if f.get("history") else ""


def _resolved_stores(report: dict) -> set[str]:
    """With --history, a store whose findings were all resolved still hears about it."""
    return {r["store_id"] for r in (report.get("history") or {}).get("resolved", [])}


def history_text(report: dict, store_id: str, label) -> list[str]:
    """The plain-text part's history: what was resolved, and the trend as block characters."""
    from lint.reports.wording import first_last, sparkline, store_trend
    history = report.get("history")
    if not history:
        return []
    lines = [""]
    resolved = [r for r in history.get("resolved", []) if r["store_id"] == store_id]
    if resolved:
        lines.append(f"{label('history_resolved_since')} ({len(resolved)}):")
        lines += [f"    {r['rule']} {', '.join(r['subjects'])}" for r in resolved]
        lines.append("")
    trend = history.get("trend", [])
    lines.append(f"{label('history_trend').replace('{n}', str(len(trend)))}:")
    for rule, values in store_trend(trend, store_id).items():
        lines.append(f"    {(rule or label('history_all_rules')):<10} {sparkline(values)} {first_last(values)}")
    return lines
