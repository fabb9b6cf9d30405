"""One table of options, one settings object.

Every option a run takes is a row of OPTIONS: its name (the LintOptions attribute, the
configuration key and, upper-cased, the SHOPLINT_<NAME> environment variable), its default,
its help, and where it may be set. The command line's options (lint.cli), the configuration
file's keys (lint.settings.config) and `shoplint config` are all made from this table.

`resolve` builds a frozen LintOptions once, taking each value from the first place that has
it: command line > environment (SHOPLINT_<NAME>) > configuration file > default.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lint.core.policy import SEVERITIES

DEFAULT_ZONE = "Asia/Jakarta"  # time zone of timestamps without an offset, when the store has none
LANGS = ("en", "id")
FORMATS = ("csv", "html", "json", "jsonl", "parquet", "text")
ENGINES = ("local", "dask")
FAIL_ON = (*SEVERITIES, "never")


class OptionError(ValueError):
    """An option's value cannot be used; the message names the option and the value."""


@dataclass(frozen=True)
class Option:
    """One row of the table."""
    name: str
    default: Any
    help: str
    kind: str  # text | flag | codes | formats | path | int | choice
    choices: tuple[str, ...] = ()
    flag: str | None = None  # the command line's spelling (default: --name-with-dashes)
    config: bool = True  # may be set in the configuration file
    env: bool = True  # may be set as SHOPLINT_<NAME>
    metavar: str | None = None
    bounds: tuple[int, int] | None = None  # for int

    @property
    def cli(self) -> str:
        """The command-line flag."""
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def env_name(self) -> str:
        """The environment variable."""
        return "SHOPLINT_" + self.name.upper()

    def parse_text(self, raw: str, where: str):
        """A value written as text (environment, or a command-line string) -> the option's type."""
        raw = raw.strip()
        if self.kind in ("codes", "formats"):
            return tuple(v.strip() for v in raw.split(",") if v.strip())
        if self.kind == "flag":
            low = raw.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off", ""):
                return False
            raise OptionError(f"{where}: {raw!r} is not true or false")
        if self.kind == "int":
            try:
                return self.checked(int(raw), where)
            except ValueError:
                raise OptionError(f"{where}: {raw!r} is not a whole number") from None
        if self.kind == "path":
            return Path(raw) if raw else None
        return self.checked(raw, where)

    def from_config(self, value, where: str):
        """A value from the configuration file (already of the TOML type the table expects)."""
        if self.kind in ("codes", "formats"):
            return tuple(value)
        if self.kind == "path":
            return Path(value)
        return self.checked(value, where)

    def checked(self, value, where: str):
        """Refuse a choice outside `choices` or a number outside `bounds`."""
        if self.kind == "choice" and value not in self.choices:
            raise OptionError(f"{where}: {value!r}: choose from {', '.join(self.choices)}")
        if self.kind == "int" and self.bounds and not self.bounds[0] <= value <= self.bounds[1]:
            raise OptionError(f"{where}: {value} is outside {self.bounds[0]}..{self.bounds[1]}")
        return value

    def toml_type(self) -> type:
        """The type a configuration file gives this key."""
        return {"codes": list, "formats": list, "flag": bool, "int": int}.get(self.kind, str)


OPTIONS: tuple[Option, ...] = (
    Option("select", (), "Comma-separated rule codes, names or prefixes to run (default: all).", "codes"),
    Option("ignore", (), "Comma-separated rule codes, names or prefixes to skip.", "codes"),
    Option("fail_on", "error", "Exit 1 when a finding has this severity or a higher one.", "choice", FAIL_ON),
    Option("strict", False, "Any input error (a skipped row) exits 2 with no report.", "flag"),
    Option("timezone", DEFAULT_ZONE, "IANA zone for timestamps without an offset (when the store has none).",
           "text"),
    Option("date_order", "dmy", "Order of day and month in text dates such as 01/06/2025 (dmy: 1 June, as "
           "Indonesian spreadsheets write them; mdy: January 6). ISO 8601 and epoch numbers are not affected.",
           "choice", ("dmy", "mdy")),
    Option("lang", "en", "Language of messages, fixes and labels.", "choice", LANGS),
    Option("format", ("text",), "Report format(s): " + "|".join(FORMATS) + " (several: comma-separated, with "
           "--output-dir).", "formats", metavar="|".join(FORMATS)),
    Option("output_dir", None, "Write one report per format here as report.EXT (for several formats: "
           "--format json,html).", "path"),
    Option("as_of", None, "The run's instant: open bindings and LIVEs end here (default: now). ISO 8601 or Unix "
           "epoch.", "text", config=False),
    Option("cache_dir", None, "Where image hashes are cached by file content (default: $XDG_CACHE_HOME/shoplint "
           "or ~/.cache/shoplint).", "path"),
    Option("no_cache", False, "Do not read or write the image-hash cache.", "flag"),
    Option("waivers", None, "Waivers file (TOML or CSV): agreed exceptions.", "path"),
    Option("baseline", None, "An earlier JSON report or baseline: findings are marked new or existing.", "path"),
    Option("new_only", False, "With --baseline or --history: only new findings fail the run.", "flag"),
    Option("history", None, "Remember every run: an SQLite file (created if missing) or a database URL "
           "(postgresql://user@host/db, extra history-pg). Reports then mark findings new / open for N days, list "
           "what was resolved since the last run and chart each store's trend.", "text", metavar="DB"),
    Option("history_scope", None, "With --history: the name runs are compared under (default: the export's "
           "name; set it when each night's export has another name, e.g. a dated zip).", "text", metavar="NAME"),
    Option("exit_zero", False, "Exit 0 even with findings (unusable input still exits 2).", "flag"),
    Option("account_id", None, "The account of videos whose file names none (a TikTok Display API video list; a "
           "'Download your data' export, instead of its user name). An account_id, or a handle of the accounts "
           "table.", "text", config=False, metavar="ACCOUNT"),
    # fetching is never switched on behind the user's back: command line (or Python) only
    Option("fetch_covers", False, "Download covers given as URLs (Display API cover_image_url) into the cache "
           "folder to compare them; default: never fetched. Limits: docs/inputs.md.", "flag", config=False,
           env=False),
    Option("cover_hosts", None, "With --fetch-covers: comma-separated host patterns covers may come from "
           "(default: $SHOPLINT_COVER_HOSTS, else TikTok's CDN: *.tiktokcdn.com, *.tiktokcdn-us.com, ...).",
           "text", config=False, env=False, metavar="PATTERNS"),
    Option("engine", "local", "Where the checks run: in this process, or split by store on a Dask cluster "
           "(pip install 'shoplint[dask]'; same report).", "choice", ENGINES),
    Option("scheduler", None, "With --engine dask: the scheduler (tcp://host:8786, a scheduler file *.json, or "
           "synchronous|threads|processes). Default: a LocalCluster on this machine.", "text", metavar="ADDRESS"),
    Option("workers", 2, "With --engine dask and no --scheduler: workers of the LocalCluster.", "int",
           bounds=(1, 256)),
)
BY_NAME = MappingProxyType({o.name: o for o in OPTIONS})
_D = {o.name: o.default for o in OPTIONS}


@dataclass(frozen=True)
class LintOptions:
    """Everything that decides a run and its report; see OPTIONS for each field's meaning.

    Build it directly from Python (`LintOptions(select=("BIND",), as_of="2026-01-01")`), or
    with `resolve` from the command line, the environment and a configuration file. Rule
    parameters and severities come from the configuration file's [rules.CODE] tables.
    """

    select: tuple[str, ...] = _D["select"]
    ignore: tuple[str, ...] = _D["ignore"]
    fail_on: str = _D["fail_on"]
    strict: bool = _D["strict"]
    timezone: str = _D["timezone"]
    date_order: str = _D["date_order"]
    lang: str = _D["lang"]
    format: tuple[str, ...] = _D["format"]
    output_dir: Path | None = _D["output_dir"]
    as_of: str | int | None = _D["as_of"]  # text as --as-of, or ms since the epoch; None: now
    cache_dir: Path | None = _D["cache_dir"]
    no_cache: bool = _D["no_cache"]
    waivers: Path | None = _D["waivers"]
    baseline: Path | None = _D["baseline"]
    new_only: bool = _D["new_only"]
    history: str | None = _D["history"]  # an SQLite file or a database URL
    history_scope: str | None = _D["history_scope"]  # default: the export's name
    exit_zero: bool = _D["exit_zero"]
    account_id: str | None = _D["account_id"]
    fetch_covers: bool = _D["fetch_covers"]
    cover_hosts: str | None = _D["cover_hosts"]
    engine: str = _D["engine"]
    scheduler: Any = _D["scheduler"]  # also a distributed.Client or a cluster object, from Python
    workers: int = _D["workers"]
    params: Mapping[str, Mapping] = field(default_factory=dict)  # code -> {parameter: value}
    severities: Mapping[str, str] = field(default_factory=dict)  # code -> severity
    # where each value came from ("command line", "environment SHOPLINT_LANG", a file, "default")
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for name in ("select", "ignore", "format"):
            value = getattr(self, name)
            if isinstance(value, str):  # a Python caller's "BIND,LIVE001"
                object.__setattr__(self, name, tuple(v.strip() for v in value.split(",") if v.strip()))
            elif not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "format", tuple(f.strip().lower() for f in self.format))
        if self.history is not None and not isinstance(self.history, str):  # a Path from Python
            object.__setattr__(self, "history", str(self.history))
        for name in ("output_dir", "cache_dir", "waivers", "baseline"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))


def resolve(given: Mapping[str, Any] | None = None, config=None, env: Mapping[str, str] | None = None
            ) -> LintOptions:
    """LintOptions from, in this order of precedence: `given` (the command line's values, only
    those the user gave), the environment (SHOPLINT_<NAME>), `config` (a
    lint.settings.config.Config) and the table's defaults. OptionError names a bad value."""
    given = dict(given or {})
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    where_config = str(config.path) if config is not None and config.path else None
    for opt in OPTIONS:
        raw_env = env.get(opt.env_name) if opt.env else None
        if opt.name in given:
            value, source = given[opt.name], "command line"
            if isinstance(value, str) and opt.kind in ("codes", "formats"):
                value = opt.parse_text(value, opt.cli)
        elif raw_env is not None and raw_env.strip() != "":
            source = f"environment {opt.env_name}"
            value = opt.parse_text(raw_env, source)
        elif opt.config and config is not None and config.get(opt.name) is not None:
            source = where_config or "configuration"
            value = opt.from_config(config.get(opt.name), f"{source}: {opt.name}")
        else:
            value, source = opt.default, "default"
        values[opt.name], sources[opt.name] = value, source
    params = dict(config.params) if config is not None else {}
    severities = dict(config.severities) if config is not None else {}
    return LintOptions(**values, params=params, severities=severities, sources=sources)


def option_names() -> tuple[str, ...]:
    """The LintOptions fields that come from the table (not params/severities/sources)."""
    table = {o.name for o in OPTIONS}
    return tuple(f.name for f in fields(LintOptions) if f.name in table)
