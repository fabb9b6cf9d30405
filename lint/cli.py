"""The command line: `shoplint check | rules | explain`.

Exit status (shared/spec/report.md): 0 no finding at or above --fail-on, 1 findings,
2 unusable input or usage. Bad input never ends in a traceback.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click
import pyarrow as pa

from lint import __version__
from lint.engines.local import run
from lint.reports.visuals import build_visuals
from lint.ingest import CoverLimits, ExportError, ExportSource, MediaOptions, default_cache_dir, load_export
from lint.ingest.timestamps import parse_instants, valid_zone
from lint.core.model import NO_TIME, Problems
from lint.core.policy import SEVERITIES, PolicyError, load_policy
from lint.nightly.baseline import BaselineError, baseline_file, load_baseline
from lint.nightly.baseline import compare as compare_baseline
from lint.settings.config import ConfigError, find_config, load_config
from lint.reports import EXTENSIONS, RENDERERS
from lint.nightly.waivers import WaiverError, apply_waivers, load_waivers
from lint.reports.json_report import report_dict

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


class UsageProblem(click.UsageError):
    exit_code = EXIT_UNUSABLE


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()] if value else []


def _policy():
    try:
        return load_policy()
    except PolicyError as e:
        click.echo(f"shoplint: broken policy pack: {e}", err=True)
        sys.exit(EXIT_UNUSABLE)


class _Guarded(click.Group):
    """Bad input must never end in a traceback: anything unexpected becomes a one-line
    message and exit 2 (SHOPLINT_DEBUG=1 shows the traceback for a bug report)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort,
                SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # the reader went away (`shoplint rules | head`): not an error of ours
            try:
                sys.stdout = open(os.devnull, "w")
            finally:
                sys.exit(EXIT_OK)
        except MemoryError:
            click.echo("shoplint: out of memory while reading the export", err=True)
            sys.exit(EXIT_UNUSABLE)
        except Exception as e:  # noqa: BLE001 - the last line of defence
            if os.environ.get("SHOPLINT_DEBUG"):
                raise
            click.echo(f"shoplint: internal error ({type(e).__name__}: {e}); no report written. "
                       "Set SHOPLINT_DEBUG=1 for details and please report it.", err=True)
            sys.exit(EXIT_UNUSABLE)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shoplint")
def main():
    """Lint TikTok Shop by Tokopedia exports against the platform's account rules."""


def mail_options(fn):
    """SMTP and outbox options, shared by `email` and `check --email`."""
    options = [
        click.option("--to", "mail_to", help="Send every store's message here instead of stores.manager_email "
                                             "(comma-separated)."),
        click.option("--smtp-host", help="SMTP server (default: $SHOPLINT_SMTP_HOST)."),
        click.option("--smtp-port", type=int, help="Port (default: $SHOPLINT_SMTP_PORT, or 587 / 465 / 25)."),
        click.option("--smtp-user", help="Login (default: $SHOPLINT_SMTP_USER; password: $SHOPLINT_SMTP_PASSWORD)."),
        click.option("--smtp-security", type=click.Choice(["starttls", "ssl", "none"]),
                     help="STARTTLS, implicit TLS or plain (default: $SHOPLINT_SMTP_SECURITY or starttls)."),
        click.option("--from", "sender", help="Sender address (default: $SHOPLINT_SMTP_FROM)."),
        click.option("--outbox", type=click.Path(path_type=Path), default=Path("shoplint-outbox"), show_default=True,
                     help="Folder for .eml files (dry runs, failed sends) and the log of sent messages."),
        click.option("--dry-run", is_flag=True, help="Write the messages to the outbox; send nothing."),
        click.option("--resume", is_flag=True, help="Skip the messages the outbox's sent.log records as sent."),
        click.option("--send-clean", is_flag=True, help="Also send to stores without findings."),
        click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
                     help="Retries of a failed send, with exponential back-off."),
        click.option("--retry-delay", type=click.FloatRange(0, 600), default=2.0, show_default=True,
                     help="Seconds before the first retry (doubling after each)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _send(report: dict, policy, visuals, o: dict) -> int:
    from lint.delivery.mail import MailError, SmtpSettings, deliver, split_addresses, valid_address
    try:
        settings = SmtpSettings.from_env(host=o["smtp_host"], port=o["smtp_port"], user=o["smtp_user"],
                                         security=o["smtp_security"], sender=o["sender"], retries=o["retries"],
                                         backoff_s=o["retry_delay"])
        to = split_addresses(o["mail_to"]) if o["mail_to"] else None
        if to and not all(valid_address(a) for a in to):
            raise MailError(f"--to {o['mail_to']!r}: not an email address")
        outcome = deliver(report, policy, settings, o["outbox"], to=to, dry_run=o["dry_run"], resume=o["resume"],
                          send_clean=o["send_clean"], visuals=visuals)
    except MailError as e:
        raise UsageProblem(str(e)) from None
    except OSError as e:
        raise UsageProblem(f"outbox {o['outbox']}: {e.strerror or e}") from None
    for r in outcome.outcomes:
        where = ", ".join(r.recipients)
        extra = f" ({r.detail})" if r.detail else ""
        kept = f"; kept in {r.eml}" if r.eml and r.status == "failed" else (f": {r.eml}" if r.eml else "")
        click.echo(f"email {r.store_id}: {r.status}{' to ' + where if where else ''}{extra}{kept}", err=True)
    return EXIT_FINDINGS if outcome.failed else EXIT_OK


_MAIL_KEYS = ("mail_to", "smtp_host", "smtp_port", "smtp_user", "smtp_security", "sender", "outbox", "dry_run",
              "resume", "send_clean", "retries", "retry_delay")


@main.command()
@click.argument("report_file", metavar="REPORT.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@mail_options
def email(report_file, **o):
    """Email each store its part of a JSON report (HTML body, text alternative, CSV attached).
    Exit 1 if any message could not be sent (it is kept in the outbox)."""
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
            raise ValueError("no findings list")
    except (ValueError, UnicodeDecodeError) as e:
        raise UsageProblem(f"{report_file}: not a shoplint JSON report ({e})") from None
    sys.exit(_send(report, _policy(), None, o))


def _require_dask():
    import importlib.util
    missing = [m for m in ("dask", "distributed") if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageProblem(f"--engine dask needs {' and '.join(missing)}: pip install 'shoplint[dask]'")


@main.command()
@click.argument("export")
@click.option("--format", "fmt", default="text", show_default=True, metavar="|".join(sorted(RENDERERS)),
              help="Report format.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report here (default: stdout).")
@click.option("--output-dir", type=click.Path(path_type=Path),
              help="Write one report per format here as report.EXT (for several formats: --format json,html).")
@click.option("--as-of", "as_of", help="The run's instant: open bindings and LIVEs end here (default: now). "
                                       "ISO 8601 or Unix epoch.")
@click.option("--timezone", "zone", default="Asia/Jakarta", show_default=True,
              help="IANA zone for timestamps without an offset (when the store has none).")
@click.option("--select", help="Comma-separated rule codes, names or prefixes to run (default: all).")
@click.option("--ignore", help="Comma-separated rule codes, names or prefixes to skip.")
@click.option("--fail-on", type=click.Choice([*SEVERITIES, "never"]), default="error", show_default=True,
              help="Exit 1 when a finding has this severity or a higher one.")
@click.option("--strict", is_flag=True, help="Any input error (a skipped row) exits 2 with no report.")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="Language of messages, fixes and labels.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: only on a terminal).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
              help="Where image hashes are cached by file content (default: $XDG_CACHE_HOME/shoplint "
                   "or ~/.cache/shoplint).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the image-hash cache.")
@click.option("--account-id", metavar="ACCOUNT",
              help="The account of videos whose file names none (a TikTok Display API video list; a "
                   "'Download your data' export, instead of its user name). An account_id, or a handle of "
                   "the accounts table.")
@click.option("--fetch-covers", is_flag=True,
              help="Download covers given as URLs (Display API cover_image_url) into the cache folder to compare "
                   "them; default: never fetched. Limits: docs/inputs.md.")
@click.option("--cover-hosts", metavar="PATTERNS",
              help="With --fetch-covers: comma-separated host patterns covers may come from (default: "
                   "$SHOPLINT_COVER_HOSTS, else TikTok's CDN: *.tiktokcdn.com, *.tiktokcdn-us.com, ...).")
@click.option("--email", "send_email", is_flag=True, help="Also email each store its report (see `shoplint email`).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file (default: shoplint.toml or [tool.shoplint] in pyproject.toml, "
                   "from here upward).")
@click.option("--waivers", type=click.Path(path_type=Path), help="Waivers file (TOML or CSV): agreed exceptions.")
@click.option("--baseline", type=click.Path(path_type=Path),
              help="An earlier JSON report or baseline: findings are marked new or existing.")
@click.option("--new-only", is_flag=True, help="With --baseline: only new findings fail the run.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (unusable input still exits 2).")
@click.option("-v", "--verbose", is_flag=True, help="Log each stage with its time, and a run summary, on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where the checks run: in this process, or split by store on a Dask cluster "
                   "(pip install 'shoplint[dask]'; same report).")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --engine dask: the scheduler (tcp://host:8786, a scheduler file *.json, or "
                   "synchronous|threads|processes). Default: a LocalCluster on this machine.")
@click.option("--workers", type=click.IntRange(1, 256), default=2, show_default=True,
              help="With --engine dask and no --scheduler: workers of the LocalCluster.")
@mail_options
@click.pass_context
def check(ctx, export, fmt, output, output_dir, as_of, zone, select, ignore, fail_on, strict, lang, color,
          cache_dir, no_cache, account_id, fetch_covers, cover_hosts, send_email, config_file, waivers, baseline,
          new_only, exit_zero, verbose, quiet, engine, scheduler, workers, **mail):
    """Lint the export folder (or .zip) EXPORT and report every violation.

    EXPORT may also be an object-storage URL (s3://bucket/exports/shop1/, gs://..., or a
    .zip there), read through fsspec when its package (s3fs, gcsfs, adlfs...) is installed."""
    policy = _policy()
    cfg = _config(config_file, policy)
    given = lambda name: ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT  # noqa: E731

    def setting(name, value, key=None, convert=lambda v: v):
        """The command line wins; then the config file; then the option's default."""
        key = key or name
        return value if given(name) or cfg.get(key) is None else convert(cfg.get(key))
    fmt = setting("fmt", fmt, "format", lambda v: ",".join(v))
    output_dir = setting("output_dir", output_dir, convert=Path)
    zone = setting("zone", zone, "timezone")
    select = setting("select", select, convert=lambda v: ",".join(v))
    ignore = setting("ignore", ignore, convert=lambda v: ",".join(v))
    fail_on = setting("fail_on", fail_on)
    strict = setting("strict", strict)
    lang = setting("lang", lang)
    cache_dir = setting("cache_dir", cache_dir, convert=Path)
    waivers = setting("waivers", waivers, convert=Path)
    baseline = setting("baseline", baseline, convert=Path)
    new_only = setting("new_only", new_only)
    exit_zero = setting("exit_zero", exit_zero)
    for key, value in cfg.smtp.items():
        name = {"host": "smtp_host", "port": "smtp_port", "user": "smtp_user", "security": "smtp_security",
                "from": "sender", "outbox": "outbox", "retries": "retries", "retry_delay": "retry_delay"}[key]
        if not given(name):
            mail[name] = Path(value) if name == "outbox" else value
    log = _Log(verbose and not quiet)
    formats = [f.strip().lower() for f in fmt.split(",") if f.strip()]
    bad = [f for f in formats if f not in RENDERERS]
    if bad or not formats:
        raise UsageProblem(f"--format {fmt!r}: choose from {', '.join(sorted(RENDERERS))} (several: comma-separated)")
    if len(formats) > 1 and output_dir is None:
        raise UsageProblem("several formats need --output-dir DIR (one file per format)")
    if output is not None and output_dir is not None:
        raise UsageProblem("use --output or --output-dir, not both")
    if output is None and output_dir is None and "parquet" in formats and sys.stdout.isatty():
        raise UsageProblem("--format parquet is binary: give --output FILE or --output-dir DIR")
    if output_dir is not None and not output_dir.is_dir():
        raise UsageProblem(f"--output-dir {output_dir}: folder does not exist")
    if not valid_zone(zone):
        raise UsageProblem(f"--timezone {zone!r} is not an IANA time zone (e.g. Asia/Jakarta)")
    unknown = policy.unknown_selectors(_codes(select) + _codes(ignore))
    if unknown:
        raise UsageProblem(f"unknown rule code(s) {', '.join(unknown)}; see `shoplint rules`")
    codes = policy.select(_codes(select), _codes(ignore))
    as_of_ms = _parse_as_of(as_of, zone)
    waiver_list = _load_waivers(waivers, policy) if waivers else None
    baseline_map = _load_baseline(baseline) if baseline else None
    if new_only and baseline_map is None:
        raise UsageProblem("--new-only needs --baseline PREVIOUS.json")
    if engine == "local" and (given("scheduler") or given("workers")):
        raise UsageProblem("--scheduler and --workers go with --engine dask")
    if engine == "dask":
        _require_dask()
    if account_id is not None and not account_id.strip():
        raise UsageProblem("--account-id is empty")
    if cover_hosts is not None and not fetch_covers:
        raise UsageProblem("--cover-hosts goes with --fetch-covers")
    cover_limits = None
    if fetch_covers:
        try:
            cover_limits = CoverLimits.from_env(hosts=cover_hosts)
        except ValueError as e:
            raise UsageProblem(f"--fetch-covers: {e}") from None

    problems = Problems()
    try:
        # downloaded covers without a cache live until the report's pictures are made
        covers_tmp = (tempfile.TemporaryDirectory(prefix="shoplint-covers-") if fetch_covers and no_cache
                      else contextlib.nullcontext())
        show = sys.stderr.isatty() and not quiet  # progress bars: only for a person at a terminal
        with ExportSource.open(export) as source, _dask_session(engine, scheduler, workers) as session, \
                covers_tmp as covers_dir:
            media = None
            if "DUP001" in codes:
                media = MediaOptions(cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
                                     progress=show, fetch_covers=cover_limits,
                                     covers_dir=Path(covers_dir) if covers_dir else None)
            with log.stage("read and validate"), _progress(len(source.table_files()[0]), "read", show) as bar:
                read = load_export if session is None else session.load_export  # dask: big tables on the workers
                data = read(source, zone, problems, media=media, account_id=account_id, on_table=bar)
            if problems.has_fatal or (strict and any(p.level != "warning" for p in problems.items)):
                _print_problems(problems, strict)
                sys.exit(EXIT_UNUSABLE)
            if engine == "dask":
                with log.stage("checks on dask"):
                    result = session.run(data, policy, codes, as_of_ms, zone, problems.sorted(), params=cfg.params,
                                         severities=cfg.severities)
            else:
                with log.stage("checks"), _progress(len(codes), "checks", show) as bar:
                    result = run(data, policy, codes, as_of_ms, zone, problems.sorted(), params=cfg.params,
                                 severities=cfg.severities, on_rule=bar)
            result.export_name = source.name
            if waiver_list is not None:
                result.waivers = apply_waivers(result.findings, waiver_list, as_of_ms, zone).to_dict()
            if baseline_map is not None:
                result.baseline = compare_baseline(result.findings, baseline_map)
                result.new_only = new_only
            if "html" in formats or send_email:
                # pictures and time lines to look at; read while the export is still open
                shown = data if session is None else session.visual_export(data, result.findings)
                result.visuals = build_visuals(result.findings, shown, source, as_of_ms, result.zone_of)
    except ExportError as e:
        click.echo(f"shoplint: {e}", err=True)
        sys.exit(EXIT_UNUSABLE)

    use_color = color if color is not None else (output is None and output_dir is None and formats == ["text"]
                                                 and sys.stdout.isatty())
    # render everything first, then write: a failure leaves no half-set of reports
    rendered = {}
    with log.stage("render " + ",".join(formats)):
        for f in formats:
            body = RENDERERS[f](result, lang=lang, fail_on=fail_on, color=use_color and f == "text")
            rendered[f] = body if isinstance(body, bytes) else body.encode("utf-8")
    if output_dir is not None:
        for f, body in rendered.items():
            write_atomic(output_dir / f"report.{EXTENSIONS[f]}", body)
    elif output is not None:
        write_atomic(output, rendered[formats[0]])
    elif formats[0] == "parquet":
        sys.stdout.buffer.write(rendered["parquet"])
        sys.stdout.flush()
    else:
        click.echo(rendered[formats[0]].decode("utf-8"), nl=False, color=use_color)
    status = EXIT_FINDINGS if result.failing(fail_on) else EXIT_OK
    if send_email:
        status = max(status, _send(report_dict(result, lang, fail_on), policy, result.visuals, mail))
    log.summary(result, fail_on)
    if not quiet and result.waivers is not None:
        for w in result.waivers["expired"]:
            click.echo(f"shoplint: waiver {w['waiver']} ({w['rule']}, {w['owner']}) expired on {w['expires']}; "
                       "it no longer applies", err=True)
    sys.exit(EXIT_OK if exit_zero else status)


def _dask_session(engine: str, scheduler, workers: int):
    """--engine dask: one cluster (or scheduler) from reading to the checks (lint.engines.dask.session)."""
    if engine != "dask":
        return contextlib.nullcontext()
    from lint.engines.dask.session import DaskSession
    return DaskSession(scheduler, n_workers=workers)


class _Log:
    """-v: each stage and its time, then a run summary, on stderr."""

    def __init__(self, on: bool):
        self.on, self.times = on, {}

    @contextlib.contextmanager
    def stage(self, name: str):
        t0 = time.perf_counter()
        yield
        self.times[name] = time.perf_counter() - t0
        if self.on:
            click.echo(f"shoplint: {name}: {self.times[name]:.2f} s", err=True)

    def summary(self, result, fail_on):
        if not self.on:
            return
        rejected = sum(1 for p in result.problems if p.level == "row")
        click.echo("shoplint: rows read: " + ", ".join(f"{t} {n}" for t, n in sorted(result.rows_read.items()))
                   + f"; rows rejected: {rejected}", err=True)
        by_rule: dict[str, int] = {}
        for f in result.findings:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        click.echo("shoplint: findings: " + (", ".join(f"{c} {n}" for c, n in sorted(by_rule.items())) or "none")
                   + f"; failing: {len(result.failing(fail_on))}", err=True)
        click.echo("shoplint: time: " + ", ".join(f"{k} {v:.2f} s" for k, v in self.times.items()), err=True)


@contextlib.contextmanager
def _progress(length: int, label: str, show: bool):
    """A progress bar on stderr when it is a terminal; yields a function to call per step."""
    if not show:
        yield lambda *_: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, item_show_func=lambda c: c) as bar:
        yield lambda code: bar.update(1, code)


def _config(path: Path | None, policy):
    try:
        return load_config(path or find_config(Path.cwd()), policy)
    except ConfigError as e:
        raise UsageProblem(str(e)) from None


def _load_waivers(path: Path, policy):
    try:
        return load_waivers(path, policy)
    except WaiverError as e:
        raise UsageProblem(str(e)) from None


def _load_baseline(path: Path):
    try:
        return load_baseline(path)
    except BaselineError as e:
        raise UsageProblem(str(e)) from None


def _parse_as_of(value: str | None, zone: str) -> int:
    if value is None:
        return int(time.time() * 1000)
    ms, bad = parse_instants(pa.array([value]), None, zone)
    if bad[0] or ms[0] == NO_TIME:
        raise UsageProblem(f"--as-of {value!r} is not a timestamp (ISO 8601, or Unix epoch seconds/milliseconds)")
    return int(ms[0])


def _print_problems(problems: Problems, strict: bool):
    items = problems.sorted()
    fatal = [p for p in items if p.level == "fatal"] or [p for p in items if p.level != "warning"]
    reason = "the input cannot be used" if problems.has_fatal else "--strict: the input has errors"
    click.echo(f"shoplint: {reason}; no report written:", err=True)
    for p in fatal:
        click.echo(f"  {p.describe()}", err=True)
    others = len(items) - len(fatal)
    if others:
        click.echo(f"  (and {others} row-level problems)", err=True)


def write_atomic(path: Path, data: bytes):
    """Write to a temporary file beside the target, then rename: never a half-written report."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageProblem(f"--output {path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private; a report gets the permissions any new file would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_CHECK_DEFAULTS = {"select": "all rules", "ignore": "none", "fail_on": "error", "timezone": "Asia/Jakarta",
                   "lang": "en", "format": "text", "output_dir": "(stdout)", "cache_dir": str(default_cache_dir()),
                   "waivers": "none", "baseline": "none", "new_only": False, "strict": False, "exit_zero": False}


@main.command("config")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file (default: found from here upward).")
def config_cmd(config_file):
    """Print the effective configuration and where each value comes from."""
    policy = _policy()
    cfg = _config(config_file, policy)
    where = str(cfg.path) if cfg.path else "default"
    click.echo(f"# configuration file: {cfg.path or 'none found (shoplint.toml or [tool.shoplint] in pyproject.toml)'}")
    for key, default in _CHECK_DEFAULTS.items():
        value = cfg.get(key)
        shown = value if value is not None else default
        click.echo(f"{key} = {json.dumps(shown, ensure_ascii=False)}  # {where if value is not None else 'default'}")
    for code, rule in policy.rules.items():
        sev = cfg.severities.get(code)
        click.echo(f"[rules.{code}]  # {rule.name}")
        click.echo(f"severity = {json.dumps(sev or rule.severity)}  # {where if sev else 'policy pack'}")
        for name, param in rule.parameters.items():
            value = cfg.params.get(code, {}).get(name)
            click.echo(f"{name} = {value if value is not None else param.default}  "
                       f"# {where if value is not None else 'policy pack'} (min {param.min:g}, max {param.max:g})")
    env = {"host": "SHOPLINT_SMTP_HOST", "port": "SHOPLINT_SMTP_PORT", "user": "SHOPLINT_SMTP_USER",
           "security": "SHOPLINT_SMTP_SECURITY", "from": "SHOPLINT_SMTP_FROM"}
    click.echo("[smtp]")
    for key in ("host", "port", "user", "security", "from", "outbox"):
        if key in cfg.smtp:
            click.echo(f"{key} = {json.dumps(cfg.smtp[key])}  # {where}")
        elif key in env and os.environ.get(env[key]):
            click.echo(f"{key} = {json.dumps(os.environ[env[key]])}  # environment {env[key]}")
        else:
            click.echo(f"# {key}: not set")
    click.echo("# password: " + ("from SHOPLINT_SMTP_PASSWORD" if os.environ.get("SHOPLINT_SMTP_PASSWORD")
                                 else "not set"))


@main.group("baseline")
def baseline_group():
    """Record a baseline: the findings a later run is compared with (--baseline)."""


@baseline_group.command("write")
@click.argument("report_file", metavar="REPORT.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="The baseline file to write.")
def baseline_write(report_file, output):
    """Write the baseline of a JSON report (rule, store, subjects and fingerprint of each finding)."""
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        load_baseline(report_file)
    except (ValueError, UnicodeDecodeError, BaselineError) as e:
        raise UsageProblem(f"{report_file}: not a shoplint JSON report ({e})") from None
    data = baseline_file(report)
    write_atomic(output, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    click.echo(f"shoplint: baseline of {len(data['findings'])} findings written to {output}", err=True)


@main.command("rules")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True)
def rules_cmd(lang):
    """List the rules of the policy pack."""
    policy = _policy()
    def params(r):
        text = ", ".join(f"{k}={v}" for k, v in r.defaults().items())
        # a long list would push the fix off the screen: `shoplint explain CODE` has them all
        return text if len(text) <= 40 else f"{len(r.parameters)} (see explain {r.code})"
    rows = [(r.code, r.name, r.severity, params(r), r.fix[lang]) for r in policy.rules.values()]
    widths = [max(len(str(x[i])) for x in rows + [("code", "name", "severity", "parameters", "")])
              for i in range(4)]
    header = ("code", "name", "severity", "parameters")
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  fix")
    for row in rows:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths)) + "  " + row[4])


@main.command()
@click.argument("code")
def explain(code):
    """Show the documentation of rule CODE (code or name)."""
    policy = _policy()
    matches = [r for r in policy.rules.values() if r.code == code.upper() or r.name == code.lower()]
    if not matches:
        raise UsageProblem(f"unknown rule {code!r}; see `shoplint rules`")
    r = matches[0]
    title, _, body = r.doc.strip().partition("\n")
    click.echo(title if title.startswith("#") else f"# {r.code} {r.name}")
    click.echo(f"\nSeverity: {r.severity}. Tables: {', '.join(r.tables)}.")
    if r.parameters:
        click.echo("Parameters: " + "; ".join(f"{p.name} = {p.default} ({p.description})"
                                            for p in r.parameters.values()) + ".")
    click.echo("\n" + (body.strip() if title.startswith("#") else r.doc.strip()))


# `shoplint serve`: the upload portal (needs the serve extra; says so clearly without it).
from lint.serve.cli import serve  # noqa: E402

main.add_command(serve)
