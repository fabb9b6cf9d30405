"""Waivers: agreed exceptions, each with a reason, an owner and an expiry date.

    # waivers.toml
    [[waiver]]
    rule = "BIND004"                # a code or a rule name
    store = "S02"                   # scope: any of store, account, subjects; all given must match
    account = "kopi.rewel"
    subjects = ["E034"]             # the finding's subjects must include all of these
    reason = "Account migrated by TikTok support, ticket 88121"
    owner = "ops@kopinusantara.example"
    expires = "2026-03-31"          # the last day it applies (in the run's time zone)

or a CSV with the columns rule, store, account, subjects (`|`-separated), reason, owner,
expires. A waived finding stays in every report, marked as waived, but no longer fails the
run. Expiry is judged at the run's --as-of (not the wall clock), so reports stay
reproducible. An expired waiver stops applying and is reported; a waiver that matched
nothing is reported too, so stale ones get cleaned up.
"""
from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from lint.core.findings import Finding
from lint.core.policy import Policy


class WaiverError(Exception):
    pass


@dataclass
class Waiver:
    number: int  # 1-based position in the file
    rule: str
    reason: str
    owner: str
    expires: date
    store: str | None = None
    account: str | None = None
    subjects: tuple[str, ...] = ()
    matched: int = 0

    def applies_to(self, f: Finding) -> bool:
        return (f.rule == self.rule and (self.store is None or f.store_id == self.store)
                and (self.account is None or self.account in f.accounts)
                and all(s in f.subjects for s in self.subjects))

    def describe(self) -> dict:
        return {"waiver": self.number, "rule": self.rule, "store": self.store, "account": self.account,
                "subjects": list(self.subjects), "reason": self.reason, "owner": self.owner,
                "expires": self.expires.isoformat()}


@dataclass
class WaiverOutcome:
    expired: list[Waiver] = field(default_factory=list)
    unused: list[Waiver] = field(default_factory=list)
    waived: int = 0

    def to_dict(self) -> dict:
        return {"waived_findings": self.waived,
                "expired": [w.describe() for w in self.expired],
                "unused": [w.describe() for w in self.unused]}


def load_waivers(path: Path, policy: Policy) -> list[Waiver]:
    """Read a waivers file (TOML [[waiver]] tables or CSV); WaiverError names the file, row and field."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise WaiverError(f"{path}: cannot be read ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise WaiverError(f"{path}: not UTF-8 text") from None
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        entries = [{k.strip().lower(): (v or "").strip() for k, v in r.items() if k} for r in rows]
        first = 2  # the header is row 1
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise WaiverError(f"{path}: not valid TOML ({e})") from None
        unknown = set(data) - {"waiver"}
        if unknown:
            raise WaiverError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; write [[waiver]] tables")
        entries = data.get("waiver", [])
        first = 1
    out = []
    for k, e in enumerate(entries):
        where = f"{path}: {'row' if first == 2 else 'waiver'} {k + first}"
        unknown = set(e) - {"rule", "store", "account", "subjects", "reason", "owner", "expires"}
        if unknown:
            raise WaiverError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("rule", "reason", "owner", "expires"):
            if not str(e.get(key) or "").strip():
                raise WaiverError(f"{where}: '{key}' is required (a waiver needs a rule, a reason, an owner "
                                  "and an expiry date)")
        rule = str(e["rule"]).strip()
        code = rule.upper() if rule.upper() in policy.rules else next(
            (c for c, r in policy.rules.items() if r.name == rule.lower()), None)
        if code is None:
            raise WaiverError(f"{where}: unknown rule {rule!r}")
        expires = e["expires"]
        if isinstance(expires, datetime):
            expires = expires.date()
        if not isinstance(expires, date):
            try:
                expires = date.fromisoformat(str(expires).strip())
            except ValueError:
                raise WaiverError(f"{where}: expires {expires!r} is not a date (YYYY-MM-DD)") from None
        subjects = e.get("subjects") or ()
        if isinstance(subjects, str):
            subjects = [s for s in subjects.split("|") if s.strip()]
        if not all(isinstance(s, str) for s in subjects):
            raise WaiverError(f"{where}: subjects must be a list of ids")
        out.append(Waiver(number=k + first, rule=code, reason=str(e["reason"]).strip(),
                          owner=str(e["owner"]).strip(), expires=expires,
                          store=str(e["store"]).strip() if e.get("store") else None,
                          account=str(e["account"]).strip() if e.get("account") else None,
                          subjects=tuple(s.strip() for s in subjects)))
    return out


def apply_waivers(findings: list[Finding], waivers: list[Waiver], as_of_ms: int, zone: str) -> WaiverOutcome:
    """Mark findings covered by a waiver still in force at --as-of (its expiry day included)."""
    today = (datetime.fromtimestamp(as_of_ms / 1000, ZoneInfo(zone))).date()
    outcome = WaiverOutcome()
    active = []
    for w in waivers:
        (outcome.expired if w.expires < today else active).append(w)
    for f in findings:
        for w in active:
            if w.applies_to(f):
                w.matched += 1
                f.waiver = w.describe()
                outcome.waived += 1
                break
    outcome.unused = [w for w in active if not w.matched]
    return outcome


