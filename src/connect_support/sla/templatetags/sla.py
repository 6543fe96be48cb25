"""Template tags for SLA timers: ``{% case_sla_timers case as timers %}`` and
``{% sla_timer case %}`` (the compact component)."""

from __future__ import annotations

from typing import Any

from django import template

from connect_support.cases.models import Case
from connect_support.sla.selectors import TimerState, case_sla

register = template.Library()


@register.simple_tag
def case_sla_timers(case: Case) -> list[TimerState]:
    return case_sla(case)


@register.inclusion_tag("console/_sla_timer.html")
def sla_timer(case: Case, timers: list[TimerState] | None = None) -> dict[str, Any]:
    """The case's timers as a compact list; pass ``timers`` from ``cases_sla`` in a list of cases."""
    return {"timers": case_sla(case) if timers is None else timers}
