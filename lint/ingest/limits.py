"""Size and count limits that an operator may change with SHOPLINT_<NAME> environment
variables (listed in docs/inputs.md). Read once, at import."""
from __future__ import annotations

import os


def env_int(name: str, default: int) -> int:
    """SHOPLINT_<name> when it is a whole number above 0, else `default` (a limit that does
    not parse must not switch a protection off)."""
    try:
        value = int(os.environ.get(f"SHOPLINT_{name}", default))
    except ValueError:
        return default
    return value if value > 0 else default
