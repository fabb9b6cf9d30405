"""One lint, as the command line does it: the web layer calls this and nothing else.

`lint_folder` loads an export (a folder or a .zip) with the same ingest, engine and
reporters as `shoplint check` and returns the JSON report, the HTML page and the CSV, or
raises `UnusableExport` with the message the command line would print (exit 2).

`run_job` is the same in a child process: it writes the three reports into a job folder
(and `status.json`), so the server can enforce a time limit by killing the process and
never holds a half-built report.
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from lint.engines.local import run
from lint.ingest import ExportError, ExportSource, MediaOptions, load_export
from lint.ingest.timestamps import parse_instants, valid_zone
from lint.core.model import NO_TIME, Problems
from lint.core.policy import PolicyError, load_policy
from lint.reports import RENDERERS
from lint.reports.visuals import build_visuals

LANGS = ("en", "id")
DEFAULT_ZONE = "Asia/Jakarta"


class UnusableExport(Exception):
    """The export cannot be linted (the command line's exit 2); the message says why."""


@dataclass
class LintOutput:
    report: dict  # report_dict(...), as `--format json` writes it
    json_text: str  # the bytes of `--format json`
    html: str  # the page of `--format html`
    csv: str  # the table of `--format csv`


def parse_as_of(value: str | None, zone: str = DEFAULT_ZONE) -> int:
    """The run's instant in ms (default: now), parsed as `--as-of` is. ValueError if it is not one."""
    if value is None or not str(value).strip():
        return int(time.time() * 1000)
    ms, bad = parse_instants(pa.array([str(value).strip()]), None, zone)
    if bad[0] or ms[0] == NO_TIME:
        raise ValueError(f"as_of {value!r} is not a timestamp (ISO 8601, e.g. 2025-12-31T00:00:00+07:00, "
                         "or Unix epoch seconds)")
    return int(ms[0])


def check_options(as_of: str | None, lang: str, zone: str) -> None:
    """Raise ValueError with a message for an option the command line would refuse."""
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r}: choose from {', '.join(LANGS)}")
    if not valid_zone(zone):
        raise ValueError(f"timezone {zone!r} is not an IANA time zone (e.g. Asia/Jakarta)")
    parse_as_of(as_of, zone)


def lint_folder(path: str | os.PathLike, as_of: str | int | None = None, lang: str = "en",
                zone: str = DEFAULT_ZONE, fail_on: str = "error", export_name: str | None = None) -> LintOutput:
    """Lint the export at `path` (a folder or a .zip) with every rule of the policy pack.
    `as_of` is a timestamp text (as `--as-of`), ms, or None for now."""
    try:
        policy = load_policy()
    except PolicyError as e:
        raise UnusableExport(f"broken policy pack: {e}") from None
    if not valid_zone(zone):
        raise UnusableExport(f"timezone {zone!r} is not an IANA time zone")
    try:
        as_of_ms = as_of if isinstance(as_of, int) else parse_as_of(as_of, zone)
    except ValueError as e:
        raise UnusableExport(str(e)) from None
    codes = policy.select([], [])
    problems = Problems()
    try:
        with ExportSource.open(path) as source:
            # no persistent image-hash cache: nothing of one upload outlives it
            data = load_export(source, zone, problems, media=MediaOptions(cache_dir=None))
            if problems.has_fatal:
                raise UnusableExport(_describe_fatal(problems))
            result = run(data, policy, codes, as_of_ms, zone, problems.sorted())
            result.export_name = export_name or source.name
            result.visuals = build_visuals(result.findings, data, source, as_of_ms, result.zone_of)
    except ExportError as e:
        raise UnusableExport(str(e)) from None
    json_text = RENDERERS["json"](result, lang=lang, fail_on=fail_on)
    return LintOutput(report=json.loads(json_text), json_text=json_text,
                      html=RENDERERS["html"](result, lang=lang, fail_on=fail_on),
                      csv=RENDERERS["csv"](result, lang=lang, fail_on=fail_on))


def _describe_fatal(problems: Problems) -> str:
    items = problems.sorted()
    fatal = [p for p in items if p.level == "fatal"]
    lines = ["the export cannot be used:"] + [f"  {p.describe()}" for p in fatal[:20]]
    if len(fatal) > 20:
        lines.append(f"  (and {len(fatal) - 20} more)")
    return "\n".join(lines)


# --- in a child process ---------------------------------------------------------------

OUTPUTS = {"json": "report.json", "html": "report.html", "csv": "report.csv"}
STATUS = "status.json"


def run_job(export_path: str, out_dir: str, as_of: str | None, lang: str, zone: str, export_name: str,
            memory_limit_mb: int = 0) -> None:
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
        result = lint_folder(export_path, as_of, lang, zone, export_name=export_name)
        for key, name in OUTPUTS.items():
            text = {"json": result.json_text, "html": result.html, "csv": result.csv}[key]
            _write(out / name, text.encode("utf-8"))
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
