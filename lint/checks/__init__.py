"""The rule checks. One module per rule; each registers its check under its code.

A check reads only the canonical tables (through Context) and its parameters, and returns
findings: it never reads files and never formats text for people.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

from lint.checks.context import Context
from lint.core.findings import CheckResult

CheckFn = Callable[[Context, dict], CheckResult]
REGISTRY: dict[str, CheckFn] = {}


def check(code: str):
    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY:
            raise RuntimeError(f"two checks registered for {code}")
        REGISTRY[code] = fn
        return fn
    return register


def load_all() -> dict[str, CheckFn]:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "context":
            importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY
