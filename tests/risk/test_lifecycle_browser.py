"""The whole lifecycle in Chromium: a risk agent opens an intervention → the co-branded
email is sent (and looks right) → its button leads to the platform's page → the banner
shows the intervention → the user authenticates and answers → "in review" → the agent
resolves → payouts resume and the banner clears."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from connect_support.accounts.models import ConnectedAccount, Platform
from connect_support.risk.emails import account_email_drain
from connect_support.risk.models import Intervention
from tests.browser.platform_site import PlatformSite
from tests.browser.test_components import (
    assert_accessible,
    dialog,
    platform_of,
    renders_nothing,
    site,
    submitted_account,
    verify_in_popup,
)
from tests.chat.support import agent_session
from tests.conftest import screenshot
from tests.identity.fixtures import fresh_rate_limits, make_agent

__all__ = ["fresh_rate_limits", "site"]
pytestmark = pytest.mark.browser


def test_an_intervention_from_email_to_banner_answer_to_resolution(page: Any, site: PlatformSite) -> None:
    Platform.objects.filter(pk=platform_of(site).pk).update(
        business_name="Fern Market",
        brand_color="#0b6e4f",
        notification_banner_url=f"{site.origin}/settings?components=notification-banner",
    )
    account = submitted_account(site)
    assert account.payouts_enabled is True
    site.account_id = account.pk
    agent, _secret = make_agent(email="risk@operator.test", roles=("risk agent",))
    # The risk agent works in the console, in a browser context of their own.
    console = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    console.add_cookies([{"name": "sessionid", "value": agent_session(agent), "url": site.operator_url}])
    desk = console.new_page()
    desk.goto(f"{site.operator_url}/console/risk/new/")
    desk.get_by_label("Account id").fill(account.pk)
    desk.get_by_label("Kind").select_option(label="Payouts paused")
    desk.get_by_label("Cause").select_option(label="Fraud")
    desk.get_by_label("What the account should know").fill("We noticed payments that look unusual for your business.")
    desk.get_by_label("Takes effect at once").check()
    desk.get_by_role("button", name="Open intervention").click()
    desk.wait_for_url(re.compile(r"/console/risk/intv_"))
    intervention = Intervention.objects.get(account=account)
    assert (intervention.kind, intervention.cause, intervention.created_by) == ("pause_payouts", "fraud", agent)
    assert ConnectedAccount.objects.get(pk=account.pk).payouts_enabled is False

    account_email_drain()
    (sent,) = mail.outbox
    html = sent.alternatives[0][0]
    page.set_content(html)
    screenshot(page, "risk-email-intervention")
    button = page.get_by_role("link", name="Respond now")
    assert button.evaluate("el => getComputedStyle(el.parentElement).backgroundColor") == "rgb(11, 110, 79)"
    link = str(button.get_attribute("href"))
    assert link.endswith(f"stripe_account_id={account.pk}")

    page.goto(link)  # the email's button leads to the platform's page with the banner
    banner = page.locator("stripe-connect-notification-banner")
    item = banner.locator(f'[data-item="intervention:{intervention.pk}"]')
    item.wait_for()
    text = item.inner_text()
    assert "Payouts are paused" in text
    assert "We noticed payments that look unusual" in text
    assert "Affects payouts" in text
    assert item.locator('[data-due="upcoming"]').inner_text().startswith("Due by")
    assert_accessible(page)
    screenshot(page, "risk-banner-intervention")

    item.get_by_role("button", name=re.compile("Resolve")).click()
    modal = dialog(page)
    modal.get_by_role("heading", name="Verify it's you").wait_for()  # risk forms need authentication
    verify_in_popup(page)
    modal.get_by_label("What does your business sell, and to whom?").fill(
        "Handmade ceramics, shipped within three days."
    )
    modal.get_by_label("How and when do customers receive what they buy?").fill("By post, within three days.")
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    modal.get_by_label("A photo ID of the account's representative").set_input_files(
        {"name": "photo-id.png", "mimeType": "image/png", "buffer": photo}
    )
    modal.get_by_role("button", name="Submit").click()
    # Everything is in review, so the banner collapses (the item stays, hidden, until expanded).
    reviewed = banner.locator(f'[data-item="intervention:{intervention.pk}"][data-status="in_review"]')
    reviewed.wait_for(state="attached")
    page.wait_for_function(
        "() => window.events.some(e => e.name === 'notificationsChange' && e.total === 1 && e.actionRequired === 0)"
    )
    assert "In review" in str(reviewed.text_content())
    stored = Intervention.objects.get(pk=intervention.pk)
    assert stored.status == "in_review"
    assert stored.responses.get().answers == {
        "business_description": "Handmade ceramics, shipped within three days.",
        "fulfilment": "By post, within three days.",
    }
    assert [(f.filename, f.content_type) for f in stored.responses.get().files.all()] == [("photo-id.png", "image/png")]

    # The agent sees the answer and the document, and resolves.
    desk.reload()
    assert desk.get_by_text("Handmade ceramics, shipped within three days.").is_visible()
    assert desk.get_by_role("link", name="photo-id.png").is_visible()
    desk.get_by_label("Resolve and lift").check()
    desk.get_by_label(re.compile("Message to the account")).fill("Thank you.")
    desk.get_by_role("button", name="Record decision").click()
    desk.get_by_text("Resolved", exact=False).first.wait_for()
    console.close()
    assert Intervention.objects.get(pk=intervention.pk).status == "resolved"
    assert ConnectedAccount.objects.get(pk=account.pk).payouts_enabled is True  # payouts resume
    page.reload()
    page.wait_for_function("() => window.events.some(e => e.name === 'notificationsChange' && e.total === 0)")
    assert renders_nothing(banner)
