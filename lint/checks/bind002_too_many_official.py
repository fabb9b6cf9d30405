"""BIND002 too-many-official: more Official accounts bound to a store at once than `max_official`."""
from __future__ import annotations

from lint.checks import Visual, check
from lint.checks.crowding import crowding
from lint.core.findings import CheckResult


@check("BIND002", fields=("store", "peak"), visual=Visual.BINDING_HISTORY)
def too_many_official(ctx, params) -> CheckResult:
    """Each period in which a store has more Official bindings in force than the limit."""
    return crowding(ctx, "BIND002", "official", params["max_official"], "max_official")
