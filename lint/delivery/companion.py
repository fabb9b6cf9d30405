"""The mail companion of a JSON report: what an email needs that the JSON report does not
hold, written beside it (report.json -> report.mail.json) by `shoplint check` whenever it
writes a JSON report to a file.

- the pictures and time lines of the findings (lint.reports.visuals), so that
  `shoplint email REPORT.json` (the nightly path: check -> JSON -> email) shows the same
  thumbnails and time lines as `check --email`;
- each finding's message and fix in every language of the pack, so that a store with a
  `language` gets its email in that language from a report written in another.

`shoplint email` reads it when it is there and belongs to the report (same export, same
as-of, same fingerprints); or, given `--export`, re-reads the pictures from the export.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

from lint.reports.visuals import Visuals

SUFFIX = ".mail.json"
KIND = "shoplint-mail-companion"


def path_beside(report_path: Path) -> Path:
    """report.json -> report.mail.json (any other name: NAME.mail.json)."""
    p = Path(report_path)
    stem = p.name[: -len(".json")] if p.name.endswith(".json") else p.name
    return p.with_name(stem + SUFFIX)


def _key(report: dict) -> dict:
    return {"export": report.get("export"), "as_of": report.get("as_of"),
            "fingerprints": sorted(f["fingerprint"] for f in report["findings"])}


def texts_of(result) -> dict:
    """lang -> fingerprint -> {message, fix}, in every language reports are written in."""
    from lint.reports import wording
    from lint.settings.options import LANGS
    return {lang: {f.fingerprint: {"message": wording.message(result, f, lang), "fix": wording.fix(result, f, lang)}
                   for f in result.findings}
            for lang in LANGS}


def key_of(result) -> dict:
    """_key of result.report(...) without building the report (its headroom alone is a
    dict per bound account)."""
    from lint.ingest.timestamps import format_instant
    return _key({"export": result.export_name, "as_of": format_instant(result.as_of, result.timezone),
                 "findings": [{"fingerprint": f.fingerprint} for f in result.findings]})


def build(result, report: dict | None = None) -> bytes:
    """The companion of `report` (result.report(...); None: the report of `result`, in any
    language) from the run's Result."""
    key = _key(report) if report is not None else key_of(result)
    body = {"kind": KIND, "report": key, "visuals": (result.visuals or Visuals()).to_dict(),
            "texts": texts_of(result)}
    return (json.dumps(body, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


class Companion:
    """A companion read back: pictures and texts (empty when it does not fit the report)."""

    def __init__(self, visuals: Visuals | None = None, texts: dict | None = None, note: str = ""):
        self.visuals, self.texts, self.note = visuals, texts or {}, note


def load(path: Path, report: dict) -> Companion:
    """The companion at `path` for `report`; a missing or foreign one gives an empty
    Companion whose `note` says why."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Companion(note=f"{path} not found")
    except (OSError, ValueError, UnicodeDecodeError) as e:
        return Companion(note=f"{path}: not readable ({e})")
    if not isinstance(data, dict) or data.get("kind") != KIND:
        return Companion(note=f"{path}: not a shoplint mail companion")
    if data.get("report") != _key(report):
        return Companion(note=f"{path} belongs to another report (export, as-of or findings differ)")
    texts = data.get("texts") if isinstance(data.get("texts"), dict) else {}
    return Companion(Visuals.from_dict(data.get("visuals") or {}), texts)


def localised(report: dict, lang: str, texts: dict, policy) -> dict | None:
    """`report` with its words in `lang`: messages and fixes from `texts` (the companion's),
    labels from the pack. None when the texts do not cover every finding."""
    words = texts.get(lang) or {}
    if any(f["fingerprint"] not in words for f in report["findings"]):
        return None
    out = copy.deepcopy(report)
    out["language"] = lang
    for f in out["findings"]:
        entry = words[f["fingerprint"]]
        f["message"], f["fix"] = str(entry.get("message", f["message"])), str(entry.get("fix", f["fix"]))
    for h in out.get("headroom", {}).values():
        for limit in h.get("limits", []):
            limit["label"] = policy.label("hr_" + limit["item"], lang)
    return out
