"""The policy pack (rules/): each rule's code, name, severity, parameters, texts and doc.

The pack is data; it is validated when loaded, and a broken pack is a clear error naming
the file and the key. Inside an installed wheel the pack sits at lint/_rules; in a source
checkout it is the repo's rules/ folder.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ("en", "id")
SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## How to fix")
_CODE = re.compile(r"^[A-Z]{3,5}\d{3}$")


class PolicyError(Exception):
    """The policy pack is broken; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Parameter:
    name: str
    default: float | int
    type: str  # "int" | "float"
    min: float
    max: float
    description: str

    def coerce(self, value, where: str):
        try:
            v = int(value) if self.type == "int" and float(value).is_integer() else float(value)
        except (TypeError, ValueError):
            raise PolicyError(f"{where}: '{self.name}' must be a number, not {value!r}") from None
        if self.type == "int" and not float(v).is_integer():
            raise PolicyError(f"{where}: '{self.name}' must be a whole number, not {value!r}")
        if not self.min <= v <= self.max:
            raise PolicyError(f"{where}: '{self.name}' = {value!r} is outside {self.min}..{self.max}")
        return int(v) if self.type == "int" else v


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    groups: tuple[str, ...]
    tables: tuple[str, ...]
    parameters: dict[str, Parameter]
    message: dict[str, str]
    fix: dict[str, str]
    doc: str

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.parameters.values()}


@dataclass
class Policy:
    name: str
    version: str
    source: str
    rules: dict[str, Rule] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def select(self, select: list[str] | None, ignore: list[str] | None) -> list[str]:
        """Rule codes to run; a selector is a code, a name or a prefix (BIND)."""
        chosen = [c for c in self.rules if not select or any(self._matches(c, s) for s in select)]
        return [c for c in chosen if not ignore or not any(self._matches(c, s) for s in ignore)]

    def unknown_selectors(self, selectors: list[str]) -> list[str]:
        return [s for s in selectors if not any(self._matches(c, s) for c in self.rules)]

    def _matches(self, code: str, selector: str) -> bool:
        s = selector.strip()
        return code.startswith(s.upper()) or self.rules[code].name == s.lower() or s.upper() == "ALL"

    def label(self, key: str, lang: str) -> str:
        entry = self.labels.get(key)
        return entry.get(lang, entry.get("en", key)) if entry else key


def pack_dir() -> Path:
    """The policy pack's folder: lint/_rules in a wheel, the repo's rules/ in a checkout."""
    package = Path(__file__).resolve().parent.parent  # lint/
    for candidate in (package / "_rules", package.parent / "rules"):
        if (candidate / "pack.toml").is_file():
            return candidate
    raise PolicyError(f"the policy pack is missing (looked in {package / '_rules'} and {package.parent / 'rules'})")


def load_policy(directory: Path | None = None) -> Policy:
    """Load and check the pack in `directory` (default: pack_dir()); PolicyError names the file and key."""
    directory = directory or pack_dir()
    meta = _toml(directory / "pack.toml")
    policy = Policy(name=_req(meta, "name", "pack.toml"), version=str(_req(meta, "version", "pack.toml")),
                    source=_req(meta, "source", "pack.toml"))
    labels_file = directory / "labels.toml"
    if labels_file.is_file():
        for key, texts in _toml(labels_file).items():
            _texts(texts, f"labels.toml [{key}]")
            policy.labels[key] = texts
    for path in sorted(directory.glob("*.toml")):
        if path.name in ("pack.toml", "labels.toml"):
            continue
        rule = _load_rule(path)
        policy.rules[rule.code] = rule
    if not policy.rules:
        raise PolicyError(f"{directory}: the policy pack has no rules")
    return policy


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: missing from the policy pack") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise PolicyError(f"{path.name}: not valid TOML ({e})") from None


def _req(data: dict, key: str, where: str):
    if key not in data:
        raise PolicyError(f"{where}: key '{key}' is missing")
    return data[key]


def _texts(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) or not value[lang].strip()
                                          for lang in LANGUAGES):
        raise PolicyError(f"{where}: needs a text for each language ({', '.join(LANGUAGES)})")
    return value


def _load_rule(path: Path) -> Rule:
    where = path.name
    data = _toml(path)
    code = _req(data, "code", where)
    if not _CODE.match(str(code)) or code != path.stem:
        raise PolicyError(f"{where}: code '{code}' must be 3-5 capital letters and 3 digits and match the file name")
    severity = _req(data, "severity", where)
    if severity not in SEVERITIES:
        raise PolicyError(f"{where}: severity '{severity}' is not one of {', '.join(SEVERITIES)}")
    params = {}
    for name, spec in data.get("parameters", {}).items():
        w = f"{where} [parameters.{name}]"
        ptype = _req(spec, "type", w)
        if ptype not in ("int", "float"):
            raise PolicyError(f"{w}: type must be int or float")
        p = Parameter(name, spec.get("default"), ptype, float(_req(spec, "min", w)), float(_req(spec, "max", w)),
                      str(spec.get("description", "")))
        params[name] = Parameter(name, p.coerce(_req(spec, "default", w), w), ptype, p.min, p.max, p.description)
    message = _texts(_req(data, "message", where), f"{where} [message]")
    fix = _texts(_req(data, "fix", where), f"{where} [fix]")
    doc_path = path.with_suffix(".md")
    if not doc_path.is_file():
        raise PolicyError(f"{doc_path.name}: every rule needs a doc beside its TOML")
    doc = doc_path.read_text(encoding="utf-8")
    missing = [s for s in DOC_SECTIONS if s not in doc]
    if missing:
        raise PolicyError(f"{doc_path.name}: doc is missing sections {missing}")
    return Rule(code=code, name=_req(data, "name", where), severity=severity,
                groups=tuple(data.get("groups", ())), tables=tuple(_req(data, "tables", where)),
                parameters=params, message=message, fix=fix, doc=doc)
