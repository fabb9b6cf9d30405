"""BIND002 too-many-official: more Official accounts bound to a store at once than `max_official`."""
from __future__ import annotations

from lint.checks import Visual, check, headroom
from lint.checks.crowding import crowding, slots
from lint.core.findings import CheckResult


@check("BIND002", fields=("store", "peak"), visual=Visual.BINDING_HISTORY)
def too_many_official(ctx, params) -> CheckResult:
    """Each period in which a store has more Official bindings in force than the limit."""
    return crowding(ctx, "BIND002", "official", params["max_official"], "max_official")


@headroom("BIND002")
def official_slots(ctx, params) -> list:
    """Official accounts bound now, of the max_official allowed."""
    return slots(ctx, "BIND002", "official", params["max_official"], "official_bound")
