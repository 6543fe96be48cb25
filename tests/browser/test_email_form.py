"""The email form in Chromium: suggested articles while typing, "This solved my problem"
ending the flow (and counted), files checked by content, and the case opened once."""

from __future__ import annotations

from typing import Any

import pytest

from connect_support.cases.models import Case, Deflection
from connect_support.helpcenter.content_version import content_version_bump
from connect_support.helpcenter.loader import load_content
from connect_support.helpcenter.search import search_backend
from tests.cases.conftest import MAIL_DATA
from tests.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser
FILES = MAIL_DATA.parent / "files"


@pytest.fixture
def site(live_url: str) -> str:
    load_content()
    # The full-text index is not a model table: a previous test's flush leaves its rows
    # behind, pointing at articles that no longer exist. Rebuild it from the articles.
    search_backend().rebuild()
    content_version_bump()
    return live_url


def test_suggested_articles_deflect_the_question(site: str, page: Any) -> None:
    page.goto(site + "/embedded-connect/cases/new/?source=account_management.edit_payout_details")
    assert not axe_violations(page)
    page.get_by_label("Subject").fill("How do I change my bank account")
    suggestions = page.locator("[data-cs-suggestions] li")
    suggestions.first.wait_for()
    section = page.get_by_role("region", name="These articles may answer your question")
    assert section.is_visible()
    first_link = suggestions.first.locator("a")
    assert "/embedded-connect/payouts/" in first_link.get_attribute("href")
    assert first_link.get_attribute("target") == "_blank"
    assert not axe_violations(page)
    screenshot(page, "email-form-deflection")
    suggestions.first.get_by_role("button", name="This solved my problem").click()
    page.get_by_role("heading", name="Glad you found your answer").wait_for()
    deflection = Deflection.objects.get()
    assert deflection.article_url.startswith("/embedded-connect/payouts/")
    assert deflection.subject == "How do I change my bank account"
    assert deflection.source_context == {"source": "account_management.edit_payout_details"}
    assert not Case.objects.exists()


def test_files_are_checked_then_the_case_is_sent(site: str, page: Any) -> None:
    page.goto(site + "/embedded-connect/cases/new/")
    page.get_by_label("Your name").fill("Robin Owner")
    page.get_by_label("Email address").fill("robin@shop.example")
    page.get_by_label("Topic").select_option("payouts")
    page.get_by_label("Subject").fill("Payout sent to a closed account")
    page.get_by_label("How can we help?").fill("My payout po_123 went to an account I closed in May.")
    files = page.get_by_label("Attachments (optional)")
    files.set_input_files([str(FILES / "invoice.pdf"), str(FILES / "receipt.png")])
    assert "invoice.pdf" in page.locator("[data-cs-file-list]").inner_text()
    page.get_by_role("button", name="Send to support").click()
    error = page.locator(".field-error")
    error.wait_for()
    assert "invoice.pdf" in error.inner_text()
    assert "not a PDF" in error.inner_text()
    assert files.get_attribute("aria-invalid") == "true"
    assert not axe_violations(page)
    screenshot(page, "email-form-refused-file")
    assert not Case.objects.exists()

    assert page.get_by_label("Subject").input_value() == "Payout sent to a closed account"  # nothing to retype
    files.set_input_files([str(FILES / "receipt.png"), str(FILES / "transactions.csv")])
    page.get_by_role("button", name="Send to support").dblclick()
    page.get_by_role("heading", name="We received your message").wait_for()
    case = Case.objects.get()
    assert f"#{case.number}" in page.locator("main").inner_text()
    assert sorted(a.content_type for a in case.attachments.all()) == ["image/png", "text/csv"]
    assert not axe_violations(page)
    screenshot(page, "email-form-sent")
