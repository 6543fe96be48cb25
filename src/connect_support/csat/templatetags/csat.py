"""``{% load csat %}{% csat_for_case case as csat %}{% include "console/_csat.html" %}``."""

from __future__ import annotations

from django import template

from connect_support.cases.models import Case
from connect_support.csat import selectors
from connect_support.csat.models import Rating

register = template.Library()


@register.simple_tag(name="csat_for_case")
def csat_for_case_tag(case: Case | str) -> Rating | None:
    return selectors.csat_for_case(case)
