"""An admin exports an account's data from the console in Chromium, and reads the audit
log that records it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.chat.support import agent_session
from tests.conftest import axe_violations, screenshot
from tests.privacy.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, live_url: str, world: World) -> None:
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": agent_session(world.admin), "url": live_url}]
    )


def test_an_admin_downloads_an_accounts_data_and_sees_it_in_the_audit_log(
    page: Any, live_url: str, world: World, tmp_path: Path
) -> None:
    _sign_in(page, live_url, world)
    page.goto(f"{live_url}/console/me/")
    page.get_by_role("link", name="Privacy").click()
    page.get_by_label("Account id (acct_…) or requester email").fill(world.alice.account.pk)
    page.get_by_label("Account id (acct_…) or requester email").press("Enter")
    page.get_by_role("heading", name=f"What is kept about account {world.alice.account.pk}").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "privacy-lookup")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the data (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"personal-data-{world.alice.account.pk}-")
    saved = tmp_path / "export.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert json.loads(archive.read("account.json"))["email"] == world.alice.email
        (case,) = json.loads(archive.read("cases.json"))
        assert archive.read(case["attachments"][0]["path"]).startswith(b"%PDF")

    page.get_by_role("link", name="Audit", exact=True).click()
    page.get_by_label("What happened").select_option("privacy.exported")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tbody tr")
    assert row.count() == 1
    assert "Personal data exported of an account" in row.inner_text()
    assert world.alice.account.pk in row.inner_text()
    assert "admin@operator.test" in row.inner_text()
    page.get_by_role("link", name="Clear filters").click()
    assert axe_violations(page) == []
    screenshot(page, "audit-log")


def test_a_wrong_confirmation_is_explained_beside_the_field(page: Any, live_url: str, world: World) -> None:
    _sign_in(page, live_url, world)
    page.goto(f"{live_url}/console/privacy/?q={world.bruno.email}")
    page.get_by_label(f"Type {world.bruno.email} to confirm").fill("yes please")
    page.get_by_role("button", name="Erase the personal data").click()
    page.get_by_text(f"Type {world.bruno.email} exactly to confirm the erasure.").wait_for()
    assert page.get_by_label(f"Type {world.bruno.email} to confirm").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    screenshot(page, "privacy-erase-refused")
