"""The command line: `shoplint check | rules | explain | pull | ...`.

Exit status (shared/spec/report.md): 0 no finding at or above --fail-on, 1 findings,
2 unusable input or usage. Bad input never ends in a traceback.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import sys
from pathlib import Path

import click

from lint import __version__
from lint.core.problems import ProblemLevel
from lint.delivery.files import OutputError, write_atomic, write_reports
from lint.nightly.baseline import BaselineError, baseline_file, load_baseline
from lint.pipeline import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNUSABLE,
    StageTimes,
    UnusableExport,
    describe_unusable,
    exit_code,
    lint,
    load_pack,
    render,
)
from lint.settings.config import ConfigError, find_config, load_config
from lint.settings.options import LintOptions, OptionError, resolve


class UsageProblem(click.UsageError):
    exit_code = EXIT_UNUSABLE


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()] if value else []


def _policy(checked: bool = True):
    """The policy pack; `checked`: also held against the checks (imports them: the commands
    that only show the pack skip it to answer at once)."""
    try:
        if checked:
            return load_pack()
        from lint.core.policy import PolicyError, load_policy
        try:
            return load_policy()
        except PolicyError as e:
            raise UnusableExport(f"broken policy pack: {e}") from None
    except UnusableExport as e:
        click.echo(f"shoplint: {e}", err=True)
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


def _send(report: dict, policy, visuals, o: dict, localise=None) -> int:
    from lint.delivery.mail import MailError, SmtpSettings, deliver, split_addresses, valid_address
    try:
        settings = SmtpSettings.from_env(host=o["smtp_host"], port=o["smtp_port"], user=o["smtp_user"],
                                         security=o["smtp_security"], sender=o["sender"], retries=o["retries"],
                                         backoff_s=o["retry_delay"])
        to = split_addresses(o["mail_to"]) if o["mail_to"] else None
        if to and not all(valid_address(a) for a in to):
            raise MailError(f"--to {o['mail_to']!r}: not an email address")
        outcome = deliver(report, policy, settings, o["outbox"], to=to, dry_run=o["dry_run"], resume=o["resume"],
                          send_clean=o["send_clean"], visuals=visuals, localise=localise)
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
@click.option("--export", "export", metavar="EXPORT",
              help="Re-read the findings' pictures and time lines from this export (the one the report "
                   "was made from) when REPORT.mail.json is not beside the report.")
@mail_options
def email(report_file, export, **o):
    """Email each store its part of a JSON report (HTML body, text alternative, CSV attached).
    The pictures, time lines and other languages come from REPORT.mail.json, which `check`
    writes beside a JSON report, or from --export. Exit 1 if any message could not be sent
    (it is kept in the outbox)."""
    from lint.delivery import companion
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
            raise ValueError("no findings list")
    except (ValueError, UnicodeDecodeError) as e:
        raise UsageProblem(f"{report_file}: not a shoplint JSON report ({e})") from None
    policy = _policy()
    found = companion.load(companion.path_beside(report_file), report)
    if export is not None:
        found = _companion_from_export(export, report, policy)
    if found.visuals is None:
        click.echo(f"shoplint: no pictures or time lines in the emails: {found.note}; "
                   "give --export EXPORT to re-read them", err=True)
    sys.exit(_send(report, policy, found.visuals, o,
                   localise=lambda lang: companion.localised(report, lang, found.texts, policy)))


def _companion_from_export(export: str, report: dict, policy):
    """The pictures and texts of `report`'s findings, re-read from the export it was made from."""
    from lint.delivery import companion
    try:
        options = LintOptions(as_of=report["as_of"], timezone=report.get("timezone") or "Asia/Jakarta",
                              select=tuple(report["rules"]["run"]), params=report["rules"].get("parameters", {}),
                              lang=report.get("language", "en"), no_cache=True)
        result = lint(export, options, visuals=True, policy=policy)
    except (KeyError, TypeError) as e:
        raise UsageProblem(f"--export: the report does not say how it was made ({e})") from None
    except OptionError as e:
        raise UsageProblem(f"--export: {e}") from None
    except UnusableExport as e:
        raise UsageProblem(f"--export {export}: {describe_unusable(e)}") from None
    mine = {f["fingerprint"] for f in report["findings"]}
    if not mine <= {f.fingerprint for f in result.findings}:
        raise UsageProblem(f"--export {export}: not the export this report was made from (its findings differ)")
    return companion.Companion(result.visuals, companion.texts_of(result))


def table_options(fn):
    """The command-line options of the option table (lint.settings.options.OPTIONS)."""
    from lint.settings.options import OPTIONS
    for opt in reversed(OPTIONS):
        kw = {"help": opt.help + ("" if not opt.env else f" [env {opt.env_name}]")}
        if opt.kind == "flag":
            kw.update(is_flag=True, default=False)
        elif opt.kind == "choice":
            kw.update(type=click.Choice(opt.choices), default=opt.default, show_default=True)
        elif opt.kind == "int":
            kw.update(type=click.IntRange(*opt.bounds), default=opt.default, show_default=True)
        elif opt.kind == "path":
            kw.update(type=click.Path(path_type=Path), default=None)
        elif opt.kind == "formats":
            kw.update(default=",".join(opt.default), show_default=True, metavar=opt.metavar)
        else:
            kw.update(default=None if opt.default in ((), None) else opt.default, show_default=opt.default
                      not in ((), None), metavar=opt.metavar)
        fn = click.option(opt.cli, opt.name, **kw)(fn)
    return fn


class _CliHooks(StageTimes):
    """-v: each stage and its time, then a run summary, on stderr; progress bars only for a
    person at a terminal (not piped, not in CI, not with -q)."""

    def __init__(self, verbose: bool, show_progress: bool):
        super().__init__()
        self.on, self.shows_progress = verbose, show_progress

    @contextlib.contextmanager
    def stage(self, name: str):
        with super().stage(name):
            yield
        if self.on:
            click.echo(f"shoplint: {name}: {self.times[name]:.2f} s", err=True)

    @contextlib.contextmanager
    def progress(self, label: str, length: int):
        if not self.shows_progress:
            yield lambda *_: None
            return
        with click.progressbar(length=length, label=label, file=sys.stderr, item_show_func=lambda c: c) as bar:
            yield lambda item: bar.update(1, item)

    def summary(self, result, fail_on):
        if not self.on:
            return
        rejected = sum(1 for p in result.problems if p.level == ProblemLevel.ROW)
        click.echo("shoplint: rows read: " + ", ".join(f"{t} {n}" for t, n in sorted(result.rows_read.items()))
                   + f"; rows rejected: {rejected}", err=True)
        by_rule: dict[str, int] = {}
        for f in result.findings:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        click.echo("shoplint: findings: " + (", ".join(f"{c} {n}" for c, n in sorted(by_rule.items())) or "none")
                   + f"; failing: {len(result.failing(fail_on))}", err=True)
        click.echo("shoplint: time: " + ", ".join(f"{k} {v:.2f} s" for k, v in self.times.items()), err=True)


def _gc_paused(fn):
    """Run `fn` with the cyclic garbage collector off (then as it was). A lint of a big export
    keeps millions of container objects alive (lists of product ids, findings, headroom items,
    the report's dicts) and makes few reference cycles: the collector's full passes over them
    took ~0.5 s of a 1M-event run and freed next to nothing. Memory is still freed by
    reference counting."""
    @functools.wraps(fn)
    def paused(*args, **kwargs):
        was_on = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()
    return paused


_SMTP_ENV = {"host": "SHOPLINT_SMTP_HOST", "port": "SHOPLINT_SMTP_PORT", "user": "SHOPLINT_SMTP_USER",
             "security": "SHOPLINT_SMTP_SECURITY", "from": "SHOPLINT_SMTP_FROM"}
_SMTP_OPTION = {"host": "smtp_host", "port": "smtp_port", "user": "smtp_user", "security": "smtp_security",
                "from": "sender", "outbox": "outbox", "retries": "retries", "retry_delay": "retry_delay"}


def resolve_options(ctx: click.Context, values: dict, cfg) -> LintOptions:
    """LintOptions from this command's values: command line > environment > file (`cfg`) > defaults."""
    from lint.settings.options import OPTIONS
    given = {o.name: values[o.name] for o in OPTIONS
             if ctx.get_parameter_source(o.name) == click.core.ParameterSource.COMMANDLINE}
    try:
        return resolve(given, cfg)
    except OptionError as e:
        raise UsageProblem(str(e)) from None


def _mail_settings(ctx: click.Context, mail: dict, cfg) -> dict:
    """The mail options: command line > environment (read by SmtpSettings) > [smtp] of the file."""
    for key, value in cfg.smtp.items():
        name = _SMTP_OPTION[key]
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
            continue
        if key in _SMTP_ENV and os.environ.get(_SMTP_ENV[key]):
            continue
        mail[name] = Path(value) if name == "outbox" else value
    return mail


@main.command()
@click.argument("export")
@table_options
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report here (default: stdout).")
@click.option("--color/--no-color", default=None, help="Colour text output (default: only on a terminal).")
@click.option("--email", "send_email", is_flag=True, help="Also email each store its report (see `shoplint email`).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file (default: shoplint.toml or [tool.shoplint] in pyproject.toml, "
                   "from here upward).")
@click.option("-v", "--verbose", is_flag=True, help="Log each stage with its time, and a run summary, on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr.")
@mail_options
@click.pass_context
@_gc_paused
def check(ctx, export, output, color, send_email, config_file, verbose, quiet, **values):
    """Lint the export folder (or .zip) EXPORT and report every violation.

    Each option is taken from the command line, else the environment (SHOPLINT_<OPTION>),
    else the configuration file, else its default (`shoplint config` shows which).
    EXPORT may also be an object-storage URL (s3://bucket/exports/shop1/, gs://..., or a
    .zip there), read through fsspec when its package (s3fs, gcsfs, adlfs...) is installed."""
    policy = _policy()
    cfg = _config(config_file, policy)  # read once: options and [smtp]
    mail = _mail_settings(ctx, {k: values.pop(k) for k in _MAIL_KEYS}, cfg)
    options = resolve_options(ctx, values, cfg)
    formats = list(options.format)
    if len(formats) > 1 and options.output_dir is None:
        raise UsageProblem("several formats need --output-dir DIR (one file per format)")
    if output is not None and options.output_dir is not None:
        raise UsageProblem("use --output or --output-dir, not both")
    if output is None and options.output_dir is None and "parquet" in formats and sys.stdout.isatty():
        raise UsageProblem("--format parquet is binary: give --output FILE or --output-dir DIR")
    if options.output_dir is not None and not options.output_dir.is_dir():
        raise UsageProblem(f"--output-dir {options.output_dir}: folder does not exist")
    hooks = _CliHooks(verbose and not quiet, sys.stderr.isatty() and not quiet)
    try:
        # a JSON report written to a file gets its mail companion (pictures): check -> JSON -> email
        to_file = output is not None or options.output_dir is not None
        result = lint(export, options, hooks=hooks, visuals="html" in formats or send_email
                      or ("json" in formats and to_file), policy=policy)
    except OptionError as e:
        raise UsageProblem(str(e)) from None
    except UnusableExport as e:
        click.echo(f"shoplint: {describe_unusable(e)}", err=True)
        sys.exit(EXIT_UNUSABLE)
    use_color = color if color is not None else (output is None and options.output_dir is None
                                                 and formats == ["text"] and sys.stdout.isatty())
    with hooks.stage("render " + ",".join(formats)):
        rendered = render(result, options, color=use_color)
    try:
        write_reports(rendered, output, options.output_dir)
        if "json" in formats and (output is not None or options.output_dir is not None):
            _write_companion(result, options, output)
    except OutputError as e:
        raise UsageProblem(str(e)) from None
    if output is None and options.output_dir is None:
        if formats[0] == "parquet":
            sys.stdout.buffer.write(rendered["parquet"])
            sys.stdout.flush()
        else:
            click.echo(rendered[formats[0]].decode("utf-8"), nl=False, color=use_color)
    status = exit_code(result, options)
    if send_email:
        sent = _send(result.report(options.lang, options.fail_on), policy, result.visuals, mail,
                     localise=lambda lang: result.report(lang, options.fail_on))
        status = max(status, sent) if not options.exit_zero else EXIT_OK
    _record_history(result)  # only now: reports written and emails out; a run that failed before writes nothing
    hooks.summary(result, options.fail_on)
    if not quiet and result.waivers is not None:
        for w in result.waivers.to_dict()["expired"]:
            click.echo(f"shoplint: waiver {w['waiver']} ({w['rule']}, {w['owner']}) expired on {w['expires']}; "
                       "it no longer applies", err=True)
    sys.exit(status)


@main.command("plan")
@click.argument("export")
@click.option("--unbind", "unbind_account", metavar="ACCOUNT", help="The account to unbind from --store.")
@click.option("--bind", "bind_account", metavar="ACCOUNT", help="The account to bind to --store (with --as).")
@click.option("--as", "account_type", type=click.Choice(["official", "marketing"]),
              help="With --bind: bind it as an Official or a Marketing account.")
@click.option("--store", "store_id", required=True, metavar="STORE", help="The store (store_id).")
@click.option("--at", "at", metavar="TIME", help="When (ISO 8601 or Unix epoch; default: --as-of, else now).")
@table_options
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file (default: shoplint.toml or [tool.shoplint] in pyproject.toml, "
                   "from here upward).")
@click.pass_context
def plan_cmd(ctx, export, unbind_account, bind_account, account_type, store_id, at, config_file, **values):
    """May I bind or unbind this account now? Says whether the action at --at would break a
    rule of the binding rules, which, and the earliest time it would not.

    Exit 0 when it breaks no rule at or above --fail-on, 1 when it does (as `check`), 2 for
    unusable input or an action that cannot be planned (an account not bound there...).
    --format text (default) or json."""
    from lint.pipeline import plan
    from lint.planner import Action, PlanError
    policy = _policy()
    options = resolve_options(ctx, values, _config(config_file, policy))
    if (unbind_account is None) == (bind_account is None):
        raise UsageProblem("give one of --unbind ACCOUNT or --bind ACCOUNT --as official|marketing")
    if unbind_account is not None and account_type is not None:
        raise UsageProblem("--as goes with --bind")
    if list(options.format) not in (["text"], ["json"]):
        raise UsageProblem("plan writes --format text or json")
    try:
        action = Action("unbind" if unbind_account is not None else "bind", store_id,
                        unbind_account if unbind_account is not None else bind_account, account_type, at)
        answer = plan(export, action, options, policy=policy)
    except (OptionError, PlanError) as e:
        raise UsageProblem(str(e)) from None
    except UnusableExport as e:
        click.echo(f"shoplint: {describe_unusable(e)}", err=True)
        sys.exit(EXIT_UNUSABLE)
    if options.format[0] == "json":
        click.echo(json.dumps(answer.to_dict(options.lang), ensure_ascii=False, indent=1))
    else:
        from lint.reports.text_report import render_plan
        click.echo(render_plan(answer, options.lang), nl=False)
    sys.exit(EXIT_OK if options.exit_zero or not answer.failing(options.fail_on) else EXIT_FINDINGS)


def _write_companion(result, options: LintOptions, output: Path | None) -> None:
    """REPORT.mail.json beside the JSON report (lint.delivery.companion)."""
    from lint.delivery import companion
    from lint.delivery.files import write_atomic
    json_path = Path(options.output_dir) / "report.json" if options.output_dir is not None else Path(output)
    body = companion.build(result)  # the key of the report just written, without building it again
    write_atomic(companion.path_beside(json_path), body)


def _record_history(result) -> None:
    if result.history is None:
        return
    from lint.nightly.history import HistoryError
    try:
        result.history.commit()
    except HistoryError as e:
        click.echo(f"shoplint: --history: {e}. The reports were delivered; run again with the same --as-of "
                   "(and --resume with --email) to record the run.", err=True)
        sys.exit(EXIT_UNUSABLE)


def _config(path: Path | None, policy):
    try:
        return load_config(path or find_config(Path.cwd()), policy)
    except ConfigError as e:
        raise UsageProblem(str(e)) from None


_SHOWN_DEFAULT = {"select": "all rules", "ignore": "none", "output_dir": "(stdout)", "waivers": "none",
                  "baseline": "none", "scheduler": "a LocalCluster", "history": "none",
                  "history_scope": "the export's name"}


@main.command("config")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file (default: found from here upward).")
def config_cmd(config_file):
    """Print the effective configuration and where each value comes from
    (command line > environment SHOPLINT_<KEY> > configuration file > default)."""
    from lint.ingest import default_cache_dir
    from lint.settings.options import OPTIONS
    policy = _policy()
    cfg = _config(config_file, policy)
    try:
        options = resolve({}, cfg)
    except OptionError as e:
        raise UsageProblem(str(e)) from None
    click.echo(f"# configuration file: {cfg.path or 'none found (shoplint.toml or [tool.shoplint] in pyproject.toml)'}")
    click.echo("# precedence: command line > environment (SHOPLINT_<KEY>) > configuration file > default")
    for opt in OPTIONS:
        if not opt.config:
            continue
        value = getattr(options, opt.name)
        source = options.sources[opt.name]
        if source == "default":
            shown = _SHOWN_DEFAULT.get(opt.name, str(default_cache_dir()) if opt.name == "cache_dir" else value)
        else:
            shown = value
        if isinstance(shown, tuple):
            shown = list(shown)
        elif isinstance(shown, Path):
            shown = str(shown)
        click.echo(f"{opt.name} = {json.dumps(shown, ensure_ascii=False)}  # {source}")
    for code, rule in policy.rules.items():
        sev = cfg.severities.get(code)
        where = str(cfg.path)
        click.echo(f"[rules.{code}]  # {rule.name}")
        click.echo(f"severity = {json.dumps(sev or rule.severity)}  # {where if sev else 'policy pack'}")
        for name, param in rule.parameters.items():
            value = cfg.params.get(code, {}).get(name)
            click.echo(f"{name} = {value if value is not None else param.default}  "
                       f"# {where if value is not None else 'policy pack'} (min {param.min:g}, max {param.max:g})")
    click.echo("[smtp]")
    for key in ("host", "port", "user", "security", "from", "outbox"):
        if key in _SMTP_ENV and os.environ.get(_SMTP_ENV[key]):
            click.echo(f"{key} = {json.dumps(os.environ[_SMTP_ENV[key]])}  # environment {_SMTP_ENV[key]}")
        elif key in cfg.smtp:
            click.echo(f"{key} = {json.dumps(cfg.smtp[key])}  # {cfg.path}")
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
    try:
        write_atomic(output, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    except OutputError as e:
        raise UsageProblem(str(e)) from None
    click.echo(f"shoplint: baseline of {len(data['findings'])} findings written to {output}", err=True)


@main.command("history")
@click.argument("db")
@click.option("--scope", help="Only runs of this export (default: every export in the history).")
@click.option("--store", help="Only this store: its runs and counts.")
@click.option("--rule", help="Only this rule code.")
@click.option("--fingerprint", help="The life of one finding: first seen, last seen, resolved at, each run.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--timezone", default="Asia/Jakarta", show_default=True, help="Zone the instants are shown in.")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True)
def history_cmd(db, scope, store, rule, fingerprint, fmt, timezone, lang):
    """Show a history (--history DB): its runs, counts over time per store and rule, and the
    life of one finding (--fingerprint). DB is an SQLite file or a database URL."""
    from lint.ingest.timestamps import format_instant
    from lint.nightly.history import History, HistoryError
    from lint.reports.wording import first_last, sparkline
    policy = _policy(checked=False)
    label = lambda key: policy.label(key, lang)  # noqa: E731
    when = lambda ms: None if ms is None else format_instant(ms, timezone)  # noqa: E731
    try:
        history = History(db)
        runs = history.runs(scope=scope, store=store, rule=rule.upper() if rule else None)
        lives = history.finding(fingerprint) if fingerprint else []
        if fingerprint:
            lives = [life for life in lives if scope is None or life["scope"] == scope]
    except HistoryError as e:
        raise UsageProblem(str(e)) from None
    if fingerprint and not lives:
        raise UsageProblem(f"no finding with fingerprint {fingerprint!r} in this history")
    for life in lives:
        for key in ("first_seen", "last_seen", "open_since", "resolved_at"):
            life[key] = when(life[key])
        life["runs"] = [{"as_of": when(r["as_of"]), "found": r["found"]} for r in life["runs"]]
    if fmt == "json":
        data = {"runs": [r.to_dict(timezone) for r in runs]}
        if fingerprint:
            data["finding"] = lives
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    if fingerprint:
        for life in lives:
            click.echo(f"{life['fingerprint']} {life['rule']} {label('store').lower()} {life['store_id']} "
                       f"({', '.join(life['subjects'])}) — {life['scope']}")
            click.echo(f"  {label('history_first_seen')}: {life['first_seen']}")
            click.echo(f"  {label('history_last_seen')}: {life['last_seen']}")
            click.echo(f"  {label('history_resolved')}: {life['resolved_at'] or label('history_open')}")
            for r in life["runs"]:
                click.echo(f"    {r['as_of']}  {'●' if r['found'] else '○'} "
                           f"{label('history_found') if r['found'] else label('history_absent')}")
        return
    click.echo(f"{len(runs)} {label('history_run' if len(runs) == 1 else 'history_runs')}")
    click.echo(f"{'as_of':26} {'export':20} {'findings':>8} {'failing':>8} {'input errors':>12}")
    for r in runs:
        n = sum(sum(c.values()) for c in r.counts.values()) if (store or rule) else r.findings
        click.echo(f"{when(r.as_of):26} {r.export[:20]:20} {n:>8} {r.failing if not (store or rule) else '':>8} "
                   f"{r.input_errors:>12}")
    stores = sorted({s for r in runs for s in r.counts} | ({store} if store else set()))
    for s in stores:
        click.echo(f"{label('store')} {s}")
        rules = sorted({k for r in runs for k in r.counts.get(s, {})})
        totals = [sum(r.counts.get(s, {}).values()) for r in runs]
        click.echo(f"  {label('history_all_rules'):<10} {sparkline(totals)} {first_last(totals)}")
        for k in rules:
            values = [r.counts.get(s, {}).get(k, 0) if k in r.rules_run else None for r in runs]
            click.echo(f"  {k:<10} {sparkline(values)} {first_last(values)}")


@main.command("rules")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True)
def rules_cmd(lang):
    """List the rules of the policy pack."""
    policy = _policy(checked=False)
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
    policy = _policy(checked=False)
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

# `shoplint pull`: fetch the Partner API listings into an export folder (network only here).
from lint.pull.cli import pull_cmd  # noqa: E402

main.add_command(pull_cmd)
