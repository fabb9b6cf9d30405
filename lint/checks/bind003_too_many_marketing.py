"""BIND003 too-many-marketing: more Marketing accounts bound to a store at once than `max_marketing`."""
from __future__ import annotations

from lint.checks import Visual, check, headroom
from lint.checks.crowding import crowding, slots
from lint.core.findings import CheckResult


@check("BIND003", fields=("store", "peak"), visual=Visual.BINDING_HISTORY)
def too_many_marketing(ctx, params) -> CheckResult:
    """Each period in which a store has more Marketing bindings in force than the limit."""
    return crowding(ctx, "BIND003", "marketing", params["max_marketing"], "max_marketing")


@headroom("BIND003")
def marketing_slots(ctx, params) -> list:
    """Marketing accounts bound now, of the max_marketing allowed."""
    return slots(ctx, "BIND003", "marketing", params["max_marketing"], "marketing_bound")
