"""Configuration: `shoplint.toml`, or `[tool.shoplint]` in `pyproject.toml`, found from the
working directory upward, or `--config FILE`. Command-line options override it.

    select = ["BIND", "LIVE001"]        # codes, names or prefixes
    ignore = ["BIND007"]
    fail_on = "error"                   # error | warning | info | never
    timezone = "Asia/Jakarta"
    lang = "id"
    format = ["json", "html"]
    output_dir = "reports"
    cache_dir = ".shoplint-cache"
    waivers = "waivers.toml"
    baseline = "baseline.json"
    history = "history.db"              # or "postgresql://user@host/db"

    [rules.BIND004]                     # per rule: severity and parameters
    severity = "warning"
    min_hours = 24

    [smtp]                              # as the SHOPLINT_SMTP_* variables
    host = "smtp.example.com"
    port = 587
    security = "starttls"
    from = "shoplint@example.com"
    outbox = "outbox"

The top-level keys are the options of lint.settings.options.OPTIONS that may be set in a
file; the environment (SHOPLINT_<NAME>) and the command line override them.
Unknown keys and values out of the pack's bounds are errors naming the file and key.
Relative paths are relative to the file they are written in.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lint.core.policy import SEVERITIES, Policy, PolicyError
from lint.settings.options import OPTIONS

_TOP = {**{o.name: o.toml_type() for o in OPTIONS if o.config}, "rules": dict, "smtp": dict}
_PATHS = tuple(o.name for o in OPTIONS if o.config and o.kind == "path")
_CHOICES = {o.name: o.choices for o in OPTIONS if o.config and o.kind == "choice"}
_SMTP = {"host": str, "port": int, "user": str, "security": str, "from": str, "outbox": str, "retries": int,
         "retry_delay": float}


class ConfigError(Exception):
    """The configuration file cannot be used; the message names the file and the key."""


@dataclass
class Config:
    """A configuration file's values (empty when there is none)."""

    path: Path | None = None  # the file it came from; None: no file
    values: dict = field(default_factory=dict)  # top-level keys, paths resolved
    severities: dict[str, str] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)
    smtp: dict = field(default_factory=dict)

    def get(self, key, default=None):
        """A top-level value, or `default`."""
        return self.values.get(key, default)


def find_config(start: Path) -> Path | None:
    """The nearest shoplint.toml, or pyproject.toml with a [tool.shoplint] table."""
    for folder in [start, *start.parents]:
        candidate = folder / "shoplint.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                if "shoplint" in tomllib.loads(candidate.read_text(encoding="utf-8")).get("tool", {}):
                    return candidate
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                continue
    return None


def load_config(path: Path | None, policy: Policy) -> Config:
    """Read and check the file at `path` (None: no file) against the option table and the pack."""
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot be read ({e.strerror or e})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("shoplint", {})
        where = f"{path} [tool.shoplint]"
    else:
        where = str(path)
    cfg = Config(path=path)
    for key, value in data.items():
        kind = _TOP.get(key)
        if kind is None:
            raise ConfigError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(_TOP))})")
        if kind is list and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind) \
                or (kind is list and not all(isinstance(v, str) for v in value)):
            raise ConfigError(f"{where}: '{key}' must be {'a list of strings' if kind is list else kind.__name__}")
        if key in _PATHS or (key == "history" and "://" not in value):  # a history file, not a database URL
            value = str((path.parent / value).resolve()) if not Path(value).is_absolute() else value
        cfg.values[key] = value
    for key, choices in _CHOICES.items():
        if cfg.get(key) is not None and cfg.get(key) not in choices:
            raise ConfigError(f"{where}: {key} must be {_one_of(choices)}")
    for key in ("select", "ignore"):
        unknown = policy.unknown_selectors(cfg.get(key) or [])
        if unknown:
            raise ConfigError(f"{where}: {key}: unknown rule(s) {', '.join(unknown)}")
    for code, table in (data.get("rules") or {}).items():
        rule = policy.rules.get(code.upper())
        if rule is None:
            raise ConfigError(f"{where}: [rules.{code}]: no such rule (see `shoplint rules`)")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [rules.{code}] must be a table")
        for name, value in table.items():
            if name == "severity":
                if value not in SEVERITIES:
                    raise ConfigError(f"{where}: [rules.{code}] severity must be one of {', '.join(SEVERITIES)}")
                cfg.severities[rule.code] = value
                continue
            param = rule.parameters.get(name)
            if param is None:
                known = ", ".join(["severity", *rule.parameters]) or "severity"
                raise ConfigError(f"{where}: [rules.{code}] unknown key '{name}' (known: {known})")
            try:
                cfg.params.setdefault(rule.code, {})[name] = param.coerce(value, f"{where}: [rules.{code}]")
            except PolicyError as e:
                raise ConfigError(str(e)) from None
    for name, value in (data.get("smtp") or {}).items():
        kind = _SMTP.get(name)
        if kind is None:
            raise ConfigError(f"{where}: [smtp] unknown key '{name}' (known: {', '.join(sorted(_SMTP))})")
        if kind is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, kind):
            raise ConfigError(f"{where}: [smtp] {name} must be {kind.__name__}")
        if name == "outbox":
            value = str((path.parent / value).resolve())
        cfg.smtp[name] = value
    return cfg


def _one_of(choices) -> str:
    return " or ".join(choices) if len(choices) == 2 else "one of " + ", ".join(choices)
