"""The public rating page in Chromium: keyboard only, axe-core, and what the requester sees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from connect_support.csat.links import rating_token
from connect_support.csat.selectors import csat_for_case
from tests.analytics.seed import add_case
from tests.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_a_requester_rates_a_solved_case_with_the_keyboard(live_url: str, page: Any) -> None:
    case = add_case(created=timezone.now() - timedelta(days=2), solved_after=timedelta(days=1))
    page.goto(f"{live_url}/embedded-connect/rate/{rating_token(case_id=case.pk)}/")
    page.get_by_role("heading", name="How did we do?").wait_for()
    assert_accessible(page)
    # Sending nothing says what is missing.
    page.get_by_role("button", name="Send my rating").click()
    page.get_by_role("alert").filter(has_text="Choose a rating from 1 to 5.").wait_for()
    scale = page.get_by_role("group", name="How satisfied are you with the help you got?")
    scale.get_by_role("radio", name="5 Very satisfied").focus()
    page.keyboard.press("ArrowDown")
    assert scale.get_by_role("radio", name="4 Satisfied").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("The answer was clear.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Thank you: your rating is saved.").wait_for()
    assert_accessible(page)
    screenshot(page, "csat-rating-page")
    rating = csat_for_case(case)
    assert rating is not None
    assert (rating.score, rating.comment) == (4, "The answer was clear.")


def test_a_broken_link_explains_itself(live_url: str, page: Any) -> None:
    response = page.goto(f"{live_url}/embedded-connect/rate/this-is-not-a-real-token/")
    assert response is not None
    assert response.status == 404
    page.get_by_role("heading", name="This rating link is not valid").wait_for()
    assert_accessible(page)
    screenshot(page, "csat-rating-link-invalid")
