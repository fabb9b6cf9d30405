"""The one pipeline: export -> read and validate -> canonical tables -> checks -> findings ->
headroom -> waivers and baseline -> pictures -> Result. Every front end calls `lint` (the command line,
the upload portal, the Python API, the tests and the benchmarks); none re-assembles it.

    from lint import LintOptions, lint
    result = lint("exports/today.zip", LintOptions(as_of="2026-01-01T00:00:00+07:00"))
    report = result.report()          # the JSON report as a dict
    html = result.render("html")      # any format, as bytes

An export the checks cannot use raises UnusableExport (the command line's exit 2) with the
problems that make it so; a bad option raises OptionError.
"""
from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lint.core.policy import Policy, PolicyError, load_policy
from lint.core.problems import InputProblem, ProblemLevel, Problems
from lint.core.result import Result
from lint.settings.options import LintOptions, OptionError

__all__ = ["lint", "plan", "UnusableExport", "Hooks", "StageTimes", "load_pack", "parse_as_of", "render",
           "exit_code"]

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


class UnusableExport(Exception):
    """The export cannot be linted (the command line's exit 2). `problems` are the input
    problems that make it so (empty when the reason is not a row or a file: a broken pack,
    an export that is not there); `strict` is True when --strict refused row errors."""

    def __init__(self, message: str, problems: list[InputProblem] | None = None, strict: bool = False):
        super().__init__(message)
        self.problems = list(problems or [])
        self.strict = strict


class Hooks:
    """What a front end may watch: each stage (for -v timings) and progress steps (for a
    terminal's bars). The default shows nothing."""

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Around one stage of the run."""
        yield

    @contextlib.contextmanager
    def progress(self, label: str, length: int) -> Iterator[Callable[[str], None]]:
        """Yields a function called once per step (a table read, a rule run)."""
        yield lambda _item: None


class StageTimes(Hooks):
    """Hooks that record each stage's wall time in `times` (name -> seconds)."""

    def __init__(self):
        self.times: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the stage."""
        t0 = time.perf_counter()
        yield
        self.times[name] = time.perf_counter() - t0


@lru_cache(maxsize=1)
def _pack() -> Policy:
    from lint.checks import validate_pack
    policy = load_policy()
    validate_pack(policy)
    return policy


def load_pack() -> Policy:
    """The policy pack, loaded and checked against the checks once per process.
    Raises UnusableExport('broken policy pack: ...') when it is broken."""
    try:
        return _pack()
    except PolicyError as e:
        raise UnusableExport(f"broken policy pack: {e}") from None


def parse_as_of(value: str | int | None, zone: str) -> int:
    """The run's instant in ms since the epoch (default: now). `value` is text as --as-of
    takes it (ISO 8601 or Unix epoch seconds/milliseconds; without an offset, in `zone`) or
    ms already. OptionError when it is not a timestamp."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return int(time.time() * 1000)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    import pyarrow as pa

    from lint.core.model import NO_TIME
    from lint.ingest.timestamps import parse_instants
    ms, bad = parse_instants(pa.array([str(value).strip()]), None, zone)
    if bad[0] or ms[0] == NO_TIME:
        raise OptionError(f"--as-of {value!r} is not a timestamp (ISO 8601, or Unix epoch seconds/milliseconds)")
    return int(ms[0])


@dataclass(frozen=True)
class _Prepared:
    """The options turned into what the run uses, every one checked before any file is read."""
    codes: list[str]
    as_of: int
    waivers: list | None
    baseline: dict | None
    cover_limits: object | None


def prepare(options: LintOptions, policy: Policy) -> _Prepared:
    """Check every option against the pack and the machine; OptionError names the first bad one."""
    from lint.engines import missing_packages
    from lint.ingest.timestamps import valid_zone
    from lint.reports import RENDERERS

    bad = [f for f in options.format if f not in RENDERERS]
    if bad or not options.format:
        raise OptionError(f"--format {','.join(options.format)!r}: choose from {', '.join(sorted(RENDERERS))} "
                          "(several: comma-separated)")
    if not valid_zone(options.timezone):
        raise OptionError(f"--timezone {options.timezone!r} is not an IANA time zone (e.g. Asia/Jakarta)")
    unknown = policy.unknown_selectors([*options.select, *options.ignore])
    if unknown:
        raise OptionError(f"unknown rule code(s) {', '.join(unknown)}; see `shoplint rules`")
    codes = policy.select(list(options.select), list(options.ignore))
    as_of = parse_as_of(options.as_of, options.timezone)
    waivers = baseline = None
    if options.waivers is not None:
        from lint.nightly.waivers import WaiverError, load_waivers
        try:
            waivers = load_waivers(Path(options.waivers), policy)
        except WaiverError as e:
            raise OptionError(str(e)) from None
    if options.baseline is not None:
        from lint.nightly.baseline import BaselineError, load_baseline
        try:
            baseline = load_baseline(Path(options.baseline))
        except BaselineError as e:
            raise OptionError(str(e)) from None
    if options.new_only and baseline is None and options.history is None:
        raise OptionError("--new-only needs --baseline PREVIOUS.json or --history DB")
    if options.history is not None and not str(options.history).strip():
        raise OptionError("--history is empty: give an SQLite file or a database URL")
    if options.history_scope is not None and (options.history is None or not options.history_scope.strip()):
        raise OptionError("--history-scope NAME goes with --history DB")
    set_here = lambda name: options.sources.get(name, "default") != "default"  # noqa: E731
    if options.engine == "local" and (options.scheduler is not None or set_here("workers")):
        raise OptionError("--scheduler and --workers go with --engine dask")
    missing = missing_packages(options.engine)
    if missing:
        raise OptionError(f"--engine {options.engine} needs {' and '.join(missing)}: "
                          f"pip install 'shoplint[{options.engine}]'")
    if options.account_id is not None and not options.account_id.strip():
        raise OptionError("--account-id is empty")
    if options.cover_hosts is not None and not options.fetch_covers:
        raise OptionError("--cover-hosts goes with --fetch-covers")
    cover_limits = None
    if options.fetch_covers:
        from lint.ingest import CoverLimits
        try:
            cover_limits = CoverLimits.from_env(hosts=options.cover_hosts)
        except ValueError as e:
            raise OptionError(f"--fetch-covers: {e}") from None
    return _Prepared(codes, as_of, waivers, baseline, cover_limits)


def lint(export: str | Path, options: LintOptions | None = None, *, hooks: Hooks | None = None,
         visuals: bool | None = None, export_name: str | None = None, policy: Policy | None = None) -> Result:
    """Lint the export at `export` (a folder, a .zip, or an object-storage URL) and return
    the Result. `visuals`: build the pictures and time lines reporters that draw show
    (default: when options.format has html). `export_name`: the name reports give the export
    (default: the folder's or file's name). Raises UnusableExport (exit 2) or OptionError."""
    from lint.checks import spec
    from lint.engines import open_engine
    from lint.ingest import ExportError, ExportSource, MediaOptions

    options = options or LintOptions()
    hooks = hooks or Hooks()
    policy = policy or load_pack()
    ready = prepare(options, policy)
    zone = options.timezone
    if visuals is None:
        visuals = "html" in options.format
    problems = Problems()
    try:
        # downloaded covers without a cache live until the report's pictures are made
        covers_tmp = (tempfile.TemporaryDirectory(prefix="shoplint-covers-") if options.fetch_covers
                      and options.no_cache else contextlib.nullcontext())
        with ExportSource.open(export) as source, open_engine(options.engine, options.scheduler,
                                                               options.workers) as engine, covers_tmp as covers_dir:
            media = None
            if any(s is not None and s.media for s in map(spec, ready.codes)):
                from lint.ingest.media import default_cache_dir  # (pictures and videos: only when a rule needs them)
                media = MediaOptions(cache_dir=None if options.no_cache else (options.cache_dir or default_cache_dir()),
                                     progress=_shows_progress(hooks), fetch_covers=ready.cover_limits,
                                     covers_dir=Path(covers_dir) if covers_dir else None)
            with hooks.stage("read and validate"), hooks.progress("read", len(source.table_files()[0])) as step:
                with _reading(options, ready.as_of):
                    data = engine.read(source, zone, problems, media=media, account_id=options.account_id,
                                       on_table=step)
            _set_aside_unneeded(data, problems, _needed_tables(policy, ready.codes))
            _stop_if_unusable(problems, options.strict)
            _stop_if_nothing_to_check(data, policy, ready.codes, source, problems)
            with hooks.stage("checks"), hooks.progress("checks", len(ready.codes)) as step:
                result = engine.check(data, policy, ready.codes, ready.as_of, zone, problems.sorted(),
                                      params=options.params, severities=options.severities, on_rule=step)
            outcome = {}
            with hooks.stage("headroom"):
                outcome["headroom"] = engine.headroom(data, result.rules_run, result.params, ready.as_of)
            if ready.waivers is not None:
                from lint.nightly.waivers import apply_waivers
                outcome["waivers"] = apply_waivers(result.findings, ready.waivers, ready.as_of, zone)
            if ready.baseline is not None:
                from lint.nightly.baseline import compare
                outcome["baseline"] = compare(result.findings, ready.baseline, options.new_only)
            if options.history is not None:
                outcome["history"] = _read_history(result, options, export_name or source.name)
            if visuals:
                from lint.reports.visuals import build_visuals
                with hooks.stage("pictures"):
                    shown = engine.visual_tables(data, result.findings)
                    outcome["visuals"] = build_visuals(result.findings, shown, source, ready.as_of, result.zone_of)
            return dataclasses.replace(result, export_name=export_name or source.name, **outcome)
    except ExportError as e:
        raise UnusableExport(str(e)) from None


def plan(export: str | Path, action, options: LintOptions | None = None, *, policy: Policy | None = None):
    """Would `action` (lint.planner.Action: bind or unbind an account in a store at a time)
    break a rule, which, and the earliest time it would not -> lint.planner.PlanAnswer.
    The export is read as `lint` reads it; the selected binding rules' own checks decide.
    Raises UnusableExport (exit 2), OptionError, or lint.planner.PlanError (exit 2)."""
    from lint.engines import open_engine
    from lint.ingest import ExportError, ExportSource
    from lint.planner import answer, plan_codes

    options = options or LintOptions()
    policy = policy or load_pack()
    ready = prepare(options, policy)
    codes = plan_codes(policy, ready.codes)
    if not codes:
        raise OptionError("no binding rule selected: nothing to plan against")
    at = ready.as_of if action.at is None else parse_as_of(action.at, options.timezone)
    problems = Problems()
    try:
        # the planned event changes a few rows: the in-process engine, whatever --engine says
        with ExportSource.open(export) as source, open_engine("local") as engine:
            with _reading(options, ready.as_of):
                data = engine.read(source, options.timezone, problems, account_id=options.account_id)
            _set_aside_unneeded(data, problems, _needed_tables(policy, codes))
            _stop_if_unusable(problems, options.strict)
            return answer(data, policy, codes, action, at, options.timezone, params=options.params,
                          severities=options.severities)
    except ExportError as e:
        raise UnusableExport(str(e)) from None


def _read_history(result: Result, options: LintOptions, export_name: str):
    """Marks, resolved findings and the trend from the history; the run itself is written by
    `result.history.commit()` once the front end has delivered the reports."""
    from lint.nightly.history import HistoryError, read_history
    try:
        return read_history(options.history, dataclasses.replace(result, export_name=export_name), options,
                            scope=options.history_scope)
    except HistoryError as e:
        raise OptionError(f"--history: {e}") from None


def _shows_progress(hooks: Hooks) -> bool:
    return bool(getattr(hooks, "shows_progress", False))


@contextlib.contextmanager
def _reading(options: LintOptions, as_of: int):
    """What reading takes from the run besides the export: the order of day and month in
    text dates, and the run's instant (for dates without a year)."""
    from lint.ingest.timestamps import date_order, run_instant
    with date_order(options.date_order), run_instant(as_of):
        yield


def _needed_tables(policy: Policy, codes: list[str]) -> set[str]:
    """The tables the selected rules read, and those that shape how they are read: stores
    (time zones of every timestamp), and accounts where videos are (user names)."""
    needed = {t for c in codes for t in policy.rules[c].tables} | {"stores"}
    if "bindings" in needed:
        needed.add("linked_accounts")  # the ledger from snapshots, where there is no bindings table
    if "videos" in needed:
        needed.add("accounts")
    return needed


def _set_aside_unneeded(data, problems: Problems, needed: set[str]) -> None:
    """A table no selected rule reads never stops a run: its fatal problems become warnings
    and the table is left out."""
    unneeded = {display: table for table, display in data.sources.items() if table not in needed}
    for k, p in enumerate(problems.items):
        table = unneeded.get(p.file)
        if table is not None and p.level == ProblemLevel.FATAL:
            problems.items[k] = dataclasses.replace(
                p, level=ProblemLevel.WARNING,
                message=f"{p.message}; the {table} table is not read by the rules run, so it was left out")
            setattr(data, "lives" if table == "live_sessions" else table, None)


def _stop_if_nothing_to_check(data, policy: Policy, codes: list[str], source, problems: Problems) -> None:
    """A table that lost every row to input errors is unusable: the rules that read it are
    "not run" (never a clean pass over nothing). An export on which no rule of the pack can
    run (nothing recognised, or every needed table emptied) is unusable input: exit 2, never
    a clean "0 findings" that would say the shop is compliant when nothing was checked. (A
    selection that leaves out every rule the export could feed is the user's choice: those
    rules are listed as not run.)"""
    from lint.engines.plan import make_plan
    for table, read in sorted(data.rows_read.items()):
        attr = "lives" if table == "live_sessions" else table
        frame = getattr(data, attr, None)
        if read and hasattr(frame, "__len__") and len(frame) == 0:
            setattr(data, attr, None)
            problems.add(data.sources.get(table, table), None, None,
                         f"every one of its {read} rows was rejected (see the row problems); the rules that read "
                         f"the {table} table are not run", level=ProblemLevel.WARNING)
    if make_plan(data, policy, list(policy.rules)).runnable:
        return
    plan = make_plan(data, policy, codes or list(policy.rules))
    names = sorted(p.name for p in source.root.iterdir() if not p.name.startswith(".")) \
        if source.root.is_dir() else []
    lacking = [{t for t in policy.rules[c].tables if not data.has(t)} for c in policy.rules]
    common = sorted(set.intersection(*lacking)) if lacking else []
    why = (f"every rule reads the {' and '.join(common)} table, and the export has no usable one" if common else
           "; ".join(f"{c}: {w}" for c, w in plan.not_run.items()))
    found = f"files found: {', '.join(names)}" if names else "the export is empty"
    raise UnusableExport(f"no rule can run on this export: {why} ({found}; the tables are stores, accounts, "
                         "bindings (or linked_accounts), live_sessions and videos: shared/spec/schema.md)",
                         problems.sorted())


def _stop_if_unusable(problems: Problems, strict: bool) -> None:
    refused = [p for p in problems.items if p.level != ProblemLevel.WARNING]
    if problems.has_fatal or (strict and refused):
        reason = "the input cannot be used" if problems.has_fatal else "--strict: the input has errors"
        raise UnusableExport(reason, problems.sorted(), strict=not problems.has_fatal)


def describe_unusable(e: UnusableExport, limit: int | None = None) -> str:
    """The message the command line prints for an unusable export: the reason, then each
    fatal problem (with --strict, each row error; with neither, the warnings, which say why
    no file could be used), then how many problems besides, by kind."""
    if not e.problems:
        return str(e)
    items = e.problems
    listed = ([p for p in items if p.level == ProblemLevel.FATAL]
              or [p for p in items if p.level != ProblemLevel.WARNING] or list(items))
    shown = listed if limit is None else listed[:limit]
    lines = [f"{e}; no report written:"] + [f"  {p.describe()}" for p in shown]
    if len(listed) > len(shown):
        lines.append(f"  (and {len(listed) - len(shown)} more)")
    ids = {id(p) for p in listed}
    rows = sum(1 for p in items if id(p) not in ids and p.level != ProblemLevel.WARNING)
    warnings = sum(1 for p in items if id(p) not in ids and p.level == ProblemLevel.WARNING)
    if rows:
        lines.append(f"  (and {rows} row-level problems)")
    if warnings:
        lines.append(f"  (and {warnings} warning{'s' if warnings > 1 else ''})")
    return "\n".join(lines)


def render(result: Result, options: LintOptions, color: bool = False) -> dict[str, bytes]:
    """Every format of options.format, rendered in full before anything is written (a failure
    leaves no half-set of reports)."""
    from lint.reports import RENDERERS
    out = {}
    for f in options.format:
        body = RENDERERS[f](result, lang=options.lang, fail_on=options.fail_on, color=color and f == "text")
        out[f] = body if isinstance(body, bytes) else body.encode("utf-8")
    return out


def exit_code(result: Result, options: LintOptions) -> int:
    """0 with no failing finding (or --exit-zero), 1 with failing findings."""
    if options.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if result.failing(options.fail_on) else EXIT_OK
