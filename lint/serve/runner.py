"""One lint for the portal: the web layer calls this and nothing else, and this calls the one
pipeline (lint.pipeline.lint) with the server's options (its configuration file: select,
ignore, strict, waivers, rule parameters...) and the upload's as-of, language and zone. So an
upload gets byte for byte the reports `shoplint check` writes for the same export, options
and as-of.

`lint_folder` returns the JSON report, the HTML page and the CSV, or raises
`UnusableExport` with the message the command line would print (exit 2).

`run_job` is the same in a child process: it writes the three reports into a job folder
(and `status.json`), so the server can enforce a time limit by killing the process and
never holds a half-built report.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from lint.pipeline import UnusableExport, describe_unusable, lint, parse_as_of
from lint.settings.options import DEFAULT_ZONE, LANGS, LintOptions, OptionError

__all__ = ["lint_folder", "run_job", "check_options", "UnusableExport", "LintOutput", "DEFAULT_ZONE", "LANGS"]

FORMATS = ("json", "html", "csv")


@dataclass
class LintOutput:
    """The three reports of one upload."""
    report: dict  # the JSON report as a dict
    json_text: str  # the bytes of `--format json`
    html: str  # the page of `--format html`
    csv: str  # the table of `--format csv`


def check_options(as_of: str | None, lang: str, zone: str) -> None:
    """Raise ValueError with a message for an option the command line would refuse."""
    from lint.ingest.timestamps import valid_zone
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r}: choose from {', '.join(LANGS)}")
    if not valid_zone(zone):
        raise ValueError(f"timezone {zone!r} is not an IANA time zone (e.g. Asia/Jakarta)")
    try:
        parse_as_of(as_of, zone)
    except OptionError:
        raise ValueError(f"as_of {as_of!r} is not a timestamp (ISO 8601, e.g. 2025-12-31T00:00:00+07:00, "
                         "or Unix epoch seconds)") from None


def upload_options(base: LintOptions | None, as_of: str | int | None, lang: str, zone: str,
                   fail_on: str | None = None) -> LintOptions:
    """The server's options with what the upload form chooses; no persistent image-hash
    cache (nothing of one upload outlives it), the portal's three formats, the local engine."""
    base = base or LintOptions()
    return dataclasses.replace(base, as_of=as_of, lang=lang, timezone=zone, fail_on=fail_on or base.fail_on,
                               format=FORMATS, output_dir=None, no_cache=True, fetch_covers=False,
                               cover_hosts=None, engine="local", scheduler=None, sources={})


def lint_folder(path: str | os.PathLike, as_of: str | int | None = None, lang: str = "en",
                zone: str = DEFAULT_ZONE, fail_on: str | None = None, export_name: str | None = None,
                options: LintOptions | None = None) -> LintOutput:
    """Lint the export at `path` (a folder or a .zip) with the server's `options` (default:
    every rule, the pack's parameters). `as_of` is a timestamp text (as `--as-of`), ms, or
    None for now."""
    opts = upload_options(options, as_of, lang, zone, fail_on)
    try:
        result = lint(path, opts, export_name=export_name)
    except UnusableExport as e:
        raise UnusableExport(describe_unusable(e, limit=20), e.problems, e.strict) from None
    except OptionError as e:
        raise UnusableExport(str(e)) from None
    body = {f: result.render(f, opts.lang, opts.fail_on).decode("utf-8") for f in FORMATS}
    return LintOutput(report=json.loads(body["json"]), json_text=body["json"], html=body["html"], csv=body["csv"])


# --- in a child process ---------------------------------------------------------------

OUTPUTS = {"json": "report.json", "html": "report.html", "csv": "report.csv"}
STATUS = "status.json"
PLAN = "plan.json"  # the answer to the upload form's "may I bind or unbind?", when asked


def plan_folder(path, plan: dict, as_of, lang: str, zone: str, options: LintOptions | None = None) -> dict:
    """The answer of lint.pipeline.plan for the form's fields (action, account, store,
    account_type, at) as the JSON of `shoplint plan --format json`, or {"error": message}."""
    from lint.pipeline import plan as plan_action
    from lint.planner import Action, PlanError
    opts = upload_options(options, as_of, lang, zone)
    try:
        action = Action(plan["action"], plan["store"], plan["account"], plan.get("account_type") or None,
                        plan.get("at") or None)
        answer = plan_action(path, action, opts)
    except (PlanError, OptionError, UnusableExport) as e:
        return {"error": str(e)}
    return answer.to_dict(lang)


def run_job(export_path: str, out_dir: str, as_of: str | None, lang: str, zone: str, export_name: str,
            memory_limit_mb: int = 0, options: LintOptions | None = None, plan: dict | None = None) -> None:
    """Child-process entry: lint, then write report.json/.html/.csv and status.json into
    `out_dir`. status.json is {"ok": true, "summary": ...} or {"ok": false, "error": message}."""
    try:
        os.setsid()  # own process group: a time-out kills the lint and any hashing workers it started
    except OSError:
        pass
    if memory_limit_mb:
        import resource
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = Path(out_dir)
    try:
        result = lint_folder(export_path, as_of, lang, zone, export_name=export_name, options=options)
        for key, name in OUTPUTS.items():
            text = {"json": result.json_text, "html": result.html, "csv": result.csv}[key]
            _write(out / name, text.encode("utf-8"))
        if plan:
            answer = plan_folder(export_path, plan, as_of, lang, zone, options)
            _write(out / PLAN, json.dumps(answer, ensure_ascii=False).encode("utf-8"))
        status = {"ok": True, "summary": result.report["summary"]}
    except UnusableExport as e:
        status = {"ok": False, "error": str(e)}
    except MemoryError:
        status = {"ok": False, "error": "the export is too large to lint within this server's memory limit"}
    except Exception as e:  # noqa: BLE001 - a bug: the log gets the traceback, the seller a message
        traceback.print_exc(file=sys.stderr)
        status = {"ok": False, "error": f"internal error ({type(e).__name__}); no report was made. "
                                        "Please report it to the server's operator.", "internal": True}
    _write(out / STATUS, json.dumps(status).encode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
