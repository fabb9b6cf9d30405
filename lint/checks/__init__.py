"""The rule checks. One module per rule; each registers its check under its code with
what it needs, so no module outside the rule names it:

    @check("DUP001", media=True, visual=Visual.PICTURES,
           fields=("store", "official_video", ...))
    def duplicate_content(ctx, params) -> CheckResult: ...

A check reads only the canonical tables (through Context) and its parameters, and returns
findings: it never reads files and never formats text for people. Its tables and texts are
in the policy pack (rules/CODE.toml); `validate_pack` holds the two together when the pack
loads (a check without a rule, a message naming a value the check never gives).

A rule with a limit a store uses up also registers its headroom next to its check:

    @headroom("BIND006")
    def marketing_unbind_headroom(ctx, params) -> list[Limit | UnbindAfter]: ...

(lint.core.headroom): what each store may still do, as of ctx.as_of, from the same tables
and parameters.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

from lint.checks.context import Context
from lint.core.findings import CheckResult
from lint.core.policy import Policy, PolicyError

CheckFn = Callable[[Context, dict], CheckResult]


class Partition(StrEnum):
    """How a distributed engine splits the tables for a rule (lint.engines.partition)."""
    STORE = "store"  # everything a finding needs belongs to one store
    ACCOUNT = "account"  # a finding pairs rows of different stores through one account


class Visual(StrEnum):
    """What a reporter that draws shows beside a finding (lint.reports.visuals)."""
    NONE = "none"
    PICTURES = "pictures"  # the pictures the evidence names (covers, matching frames)
    SESSIONS = "sessions"  # the LIVE sessions the subjects name, on a time line
    BINDING_HISTORY = "binding_history"  # the bindings of the finding's accounts, on a time line


@dataclass(frozen=True)
class CheckSpec:
    """A registered check and what it declares about itself."""
    code: str
    fn: CheckFn
    fields: tuple[str, ...]  # the values it gives its message (Finding.fields)
    media: bool = False  # needs the pictures/videos of the export hashed at ingest
    partition: Partition = Partition.STORE
    visual: Visual = Visual.NONE
    # takes an account's role from the source (lint.checks.context.roles_at) where no binding
    # gives it: runs without a bindings table when the source states roles
    source_roles: bool = False


REGISTRY: dict[str, CheckSpec] = {}


def check(code: str, *, fields: tuple[str, ...], media: bool = False, partition: Partition = Partition.STORE,
          visual: Visual = Visual.NONE, source_roles: bool = False):
    """Register the decorated function as the check of rule `code`."""
    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY:
            raise RuntimeError(f"two checks registered for {code}")
        REGISTRY[code] = CheckSpec(code, fn, tuple(fields), media, Partition(partition), Visual(visual),
                                   source_roles)
        return fn
    return register


HeadroomFn = Callable[[Context, dict], list]
HEADROOM: dict[str, HeadroomFn] = {}


def headroom(code: str):
    """Register the decorated function as the headroom of rule `code` (lint.core.headroom)."""
    def register(fn: HeadroomFn) -> HeadroomFn:
        if code in HEADROOM:
            raise RuntimeError(f"two headroom functions registered for {code}")
        HEADROOM[code] = fn
        return fn
    return register


def headroom_of(export, codes, params: dict[str, dict], as_of: int) -> list:
    """The headroom items of the rules `codes` that have one, on the canonical tables of
    `export` as of `as_of`, sorted by store."""
    from lint.core.headroom import sort_key
    load_all()
    if export is None or export.bindings is None:
        return []
    ctx = Context(export, as_of)
    items = []
    for code in codes:
        fn = HEADROOM.get(code)
        if fn is not None:
            items.extend(fn(ctx, params[code]))
    return sorted(items, key=sort_key)


_LOADED: list[bool] = []  # set once every module is imported: spec() is called per finding


def load_all() -> dict[str, CheckSpec]:
    """Import every check module once; -> code -> CheckSpec."""
    if not _LOADED:
        for module in pkgutil.iter_modules(__path__):
            if module.name != "context":
                importlib.import_module(f"{__name__}.{module.name}")
        _LOADED.append(True)
    return REGISTRY


def spec(code: str) -> CheckSpec | None:
    """The check of rule `code`, or None when this version has none."""
    return load_all().get(code)


def media_rules() -> str:
    """The codes of the rules that compare pictures and videos, for messages ('DUP001')."""
    return " and ".join(c for c, s in sorted(load_all().items()) if s.media)


# Message values wording.message derives from a check's fields and the finding itself.
_DERIVED = {"overlap_s": "overlap", "held_s": "held", "signal": "signal_label", "account_type": "account_type_label"}
_ALWAYS = ("start", "end")
_PLACEHOLDER = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")


def message_keys(code: str, policy: Policy) -> set[str]:
    """Every name the message of rule `code` may use: its check's fields, the names derived
    from them, the rule's parameters, and the finding's window."""
    s = spec(code)
    fields = set(s.fields) if s else set()
    return fields | {_DERIVED[f] for f in fields if f in _DERIVED} | set(policy.rules[code].parameters) | set(_ALWAYS)


def validate_pack(policy: Policy) -> None:
    """Raise PolicyError when a rule's message names a value its check never gives (a typo
    would otherwise reach a manager's email as '{key}')."""
    for code, rule in policy.rules.items():
        if spec(code) is None:
            continue  # reported as "not implemented in this version" by the plan
        allowed = message_keys(code, policy)
        for lang, text in rule.message.items():
            for key in _PLACEHOLDER.findall(text):
                if key not in allowed:
                    raise PolicyError(f"{code}.toml [message] {lang}: unknown placeholder {{{key}}} "
                                      f"(known: {', '.join(sorted(allowed))})")
