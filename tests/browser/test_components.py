"""The embedded components in Chromium, on a platform page served from another origin.

The platform's page (``platform_site.py``) loads ``connect.js`` from the operator at
``http://127.0.0.1:<port>`` while it is itself at ``http://localhost:<other port>``, and
mints account sessions through the API with the official SDK, like any platform.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from connect_support.accounts.models import ConnectedAccount, Platform
from connect_support.accounts.onboarding import account_details_submit
from connect_support.embedded.models import AccountSession
from tests.browser.platform_site import PlatformSite, serve_platform_site
from tests.conftest import axe_violations, screenshot
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import fresh_rate_limits, last_code

__all__ = ["fresh_rate_limits"]
pytestmark = pytest.mark.browser
PHONE = "+14155550199"
PLATFORM_HELP = "https://help.platform.example/"

COMPLETE = {
    "business_type": "individual",
    "business_profile": {"name": "Fern & Fig", "mcc": "5734", "url": "https://fernfig.example"},
    "individual": {
        "first_name": "Robin",
        "last_name": "Owner",
        "email": "robin@fernfig.example",
        "phone": PHONE,
        "dob": {"day": 14, "month": 3, "year": 1986},
        "address": {"line1": "510 Townsend St", "city": "San Francisco", "state": "CA", "postal_code": "94110"},
        "ssn_last_4": "0000",
    },
    "external_account": {
        "object": "bank_account",
        "country": "US",
        "currency": "usd",
        "account_number": "000123456789",
        "routing_number": "110000000",
        "account_holder_name": "Robin Owner",
    },
    "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
}
TOS = {"date": 1767225600, "ip": "203.0.113.10"}


@pytest.fixture
def site(live_url: str) -> Iterator[PlatformSite]:
    keys = platform_with_keys(support_url=PLATFORM_HELP, support_email="help@platform.example")
    site = PlatformSite(operator_url=live_url, secret_key=keys.secret_key, publishable_key=keys.publishable_key)
    server, origin = serve_platform_site(site)
    Platform.objects.filter(pk=keys.platform.pk).update(allowed_origins=[origin])
    site.platform_id = keys.platform.pk  # type: ignore[attr-defined]
    yield site
    server.shutdown()
    server.server_close()


def platform_of(site: PlatformSite) -> Platform:
    return Platform.objects.get(pk=site.platform_id)  # type: ignore[attr-defined]


def submitted_account(site: PlatformSite, *, supported: bool = True, **changes: Any) -> ConnectedAccount:
    params = {**COMPLETE, **changes}
    account = make_account(platform_of(site), supported=supported, **params)
    return account_details_submit(account=account, tos_acceptance=TOS)


def open_page(page: Any, site: PlatformSite, components: str, **query: str) -> None:
    params = "&".join(f"{k}={v}" for k, v in {"components": components, **query}.items())
    page.goto(f"{site.origin}/settings?{params}")


def events(page: Any, name: str) -> list[dict[str, Any]]:
    return [e for e in page.evaluate("window.events") if e["name"] == name]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]


def verify_in_popup(page: Any, button_name: str = "Verify it's you") -> None:
    """Finish the authentication popup with the code from the dev outbox."""
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name=button_name).click()
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.get_by_role("button", name="Text me a code").click()
    popup.wait_for_url("**/embedded/auth/code")
    popup.get_by_label("6-digit code").fill(last_code(PHONE))
    with popup.expect_event("close", timeout=10_000):
        popup.get_by_role("button", name="Verify").click()


def shadow_text(host: Any) -> str:
    """What a component shows (``inner_text`` of a host leaves out its shadow root)."""
    return str(host.evaluate("el => [...el.shadowRoot.children].map((c) => c.innerText).join('\\n')"))


def renders_nothing(host: Any) -> bool:
    return bool(host.evaluate("el => el.shadowRoot.childElementCount === 0"))


def dialog(page: Any) -> Any:
    return page.locator("dialog[open]")


def support_href(scope: Any) -> str:
    return str(scope.get_by_role("link", name=re.compile("^Contact support")).get_attribute("href"))


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_onboarding_end_to_end_with_the_authentication_popup(page: Any, site: PlatformSite) -> None:
    account = make_account(
        platform_of(site), capabilities={"card_payments": {"requested": True}, "transfers": {"requested": True}}
    )
    site.account_id = account.pk
    open_page(page, site, "notification-banner,account-onboarding")
    card = page.locator("stripe-connect-account-onboarding")
    card.get_by_role("heading", name=re.compile("Set up payments")).wait_for()
    assert events(page, "loaderStart")
    assert len(events(page, "fetchClientSecret")) == 1  # one session for the whole page
    # Nothing to show yet: the banner stays empty before onboarding is submitted.
    assert renders_nothing(page.locator("stripe-connect-notification-banner"))
    assert_accessible(page)
    screenshot(page, "component-onboarding-card")

    card.get_by_role("button", name="Start setup").click()
    flow = dialog(page)
    flow.get_by_role("heading", name="Verify it's you").wait_for()
    assert events(page, "stepChange")[-1]["step"] == "stripe_user_authentication"
    assert query_of(support_href(flow))["source"] == "authentication.dialog"
    assert_accessible(page)
    screenshot(page, "component-onboarding-authentication")
    verify_in_popup(page)

    flow.get_by_label("Type of business").wait_for()
    assert events(page, "stepChange")[-1]["step"] == "business_type"
    assert query_of(support_href(flow))["source"] == "account_onboarding.onboarding"
    flow.get_by_label("Type of business").select_option("individual")
    flow.get_by_role("button", name="Continue").click()

    flow.get_by_label("Industry").wait_for()
    flow.get_by_label("Industry").select_option("5734")
    flow.get_by_label("Business website").fill("not a website")
    flow.get_by_role("button", name="Continue").click()
    website = flow.get_by_label("Business website")
    page.wait_for_function(
        "() => document.querySelector('stripe-connect-account-onboarding').shadowRoot"
        ".querySelector('[name=url]').getAttribute('aria-invalid') === 'true'"
    )
    error_id = website.get_attribute("aria-describedby").split()[-1]
    assert "web address" in flow.locator(f"#{error_id}").inner_text()
    assert_accessible(page)
    screenshot(page, "component-onboarding-field-error")
    website.fill("fernfig.example")
    flow.get_by_role("button", name="Continue").click()

    flow.get_by_label("Date of birth").wait_for()
    assert events(page, "stepChange")[-1]["step"] == "representative"
    flow.get_by_label("Email").fill("robin@fernfig.example")
    flow.get_by_label("Date of birth").fill("1986-03-14")
    flow.get_by_label("Street address").fill("address_no_match")
    flow.get_by_label("City").fill("San Francisco")
    flow.get_by_label("State").fill("CA")
    flow.get_by_label("ZIP code").fill("9411")
    flow.get_by_label("Last 4 digits of SSN").fill("0000")
    flow.get_by_role("button", name="Continue").click()
    flow.get_by_text("Enter a 5-digit ZIP code").wait_for()
    flow.get_by_label("ZIP code").fill("94110")
    flow.get_by_role("button", name="Continue").click()

    flow.get_by_label("Routing number").wait_for()
    flow.get_by_label("Account holder name").fill("Robin Owner")
    flow.get_by_label("Routing number").fill("110000001")
    flow.get_by_label("Account number", exact=True).fill("000123456789")
    flow.get_by_label("Confirm account number").fill("000123456789")
    flow.get_by_role("button", name="Continue").click()
    flow.get_by_text("This routing number isn't valid").wait_for()
    assert flow.get_by_label("Routing number").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    screenshot(page, "component-onboarding-payout-error")
    flow.get_by_label("Routing number").fill("110000000")
    flow.get_by_role("button", name="Continue").click()

    flow.get_by_role("heading", name="Review and submit").wait_for()
    assert events(page, "stepChange")[-1]["step"] == "summary"
    assert "•••• 6789" in flow.inner_text()
    assert_accessible(page)
    screenshot(page, "component-onboarding-review")
    flow.get_by_role("button", name="Agree and submit").click()
    flow.get_by_text("Check this box to accept the terms.").wait_for()
    flow.get_by_label(re.compile("I agree to the services agreement")).check()
    flow.get_by_role("button", name="Agree and submit").click()
    flow.get_by_role("heading", name="Thanks, we have your details").wait_for()
    screenshot(page, "component-onboarding-done")

    account.refresh_from_db()
    assert account.details_submitted is True
    assert account.business_type == "individual"
    assert account.external_accounts[0]["last4"] == "6789"
    assert account.tos_acceptance["date"] > 0
    assert account.requirements["errors"][0]["requirement"] == "individual.address.line1"
    assert account.charges_enabled is False  # the address still has to be verified

    flow.get_by_role("button", name="Done").click()
    assert events(page, "exit")
    # After onboarding, the banner shows the failed address check, overdue.
    banner = page.locator("stripe-connect-notification-banner")
    banner.get_by_role("heading", name="Payments and payouts are paused").wait_for()
    assert card.get_by_role("heading", name="Your account is set up").is_visible()
    assert events(page, "notificationsChange")[-1] == {"name": "notificationsChange", "total": 1, "actionRequired": 1}


def test_the_banner_shows_a_due_requirement_and_its_form(page: Any, site: PlatformSite) -> None:
    account = submitted_account(
        site,
        individual={
            **COMPLETE["individual"],
            "address": {**COMPLETE["individual"]["address"], "line1": "address_no_match"},
        },
    )
    site.account_id = account.pk
    open_page(page, site, "notification-banner")
    banner = page.locator("stripe-connect-notification-banner")
    banner.get_by_role("heading", name="Payments and payouts are paused").wait_for()
    item = banner.locator('[data-item="requirement:individual.address"]')
    assert "Verify your address" in item.inner_text()
    assert "could not be verified" in item.inner_text()
    overdue = item.locator('[data-due="overdue"]')
    assert overdue.inner_text().startswith("Overdue")
    color = overdue.evaluate("el => getComputedStyle(el).color")
    red, green, blue = (int(x) for x in re.findall(r"\d+", color)[:3])
    assert red > 150 > green  # the due-date indicator is red
    assert red > blue
    assert events(page, "notificationsChange")[-1] == {"name": "notificationsChange", "total": 1, "actionRequired": 1}
    failure_link = query_of(support_href(item))
    assert failure_link == {"source": "notification_banner.compliance_form", "requirement": "individual.address.line1"}
    assert_accessible(page)
    screenshot(page, "component-banner-due")

    toggle = banner.get_by_role("button", name="Hide details")
    toggle.click()
    assert banner.get_by_role("button", name="Show 1 item").get_attribute("aria-expanded") == "false"
    assert not item.is_visible()
    banner.get_by_role("button", name="Show 1 item").click()

    item.get_by_role("button", name=re.compile("Update")).click()
    modal = dialog(page)
    modal.get_by_role("heading", name="Verify it's you").wait_for()  # personal data: authenticate first
    assert query_of(support_href(modal))["source"] == "authentication.dialog"
    verify_in_popup(page)
    modal.get_by_label("Street address").wait_for()
    assert query_of(support_href(modal)) == failure_link
    assert modal.get_by_label("City").is_visible()  # the whole address, not one line of it
    assert not modal.get_by_label("Date of birth").is_visible()
    assert_accessible(page)
    screenshot(page, "component-banner-compliance-form")
    modal.get_by_label("Street address").fill("1 Market St")
    modal.get_by_role("button", name="Submit").click()
    page.wait_for_function("() => window.events.some(e => e.name === 'notificationsChange' && e.total === 0)")
    assert renders_nothing(banner)  # nothing left to show
    account.refresh_from_db()
    assert account.charges_enabled is True
    assert account.representative is not None
    assert account.representative.address["line1"] == "1 Market St"


def test_the_banner_collapses_when_everything_is_in_review(page: Any, site: PlatformSite) -> None:
    account = submitted_account(site)
    requirements = {
        **account.requirements,
        "pending_verification": ["individual.id_number", "individual.address.line1"],
    }
    ConnectedAccount.objects.filter(pk=account.pk).update(requirements=requirements)
    site.account_id = account.pk
    open_page(page, site, "notification-banner")
    banner = page.locator("stripe-connect-notification-banner")
    banner.get_by_role("heading", name="Your information is in review").wait_for()
    toggle = banner.get_by_role("button", name="View details")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert events(page, "notificationsChange")[-1] == {"name": "notificationsChange", "total": 2, "actionRequired": 0}
    screenshot(page, "component-banner-in-review-collapsed")
    toggle.click()
    items = banner.locator("[data-status='in_review']")
    assert items.count() == 2
    assert "In review" in items.first.inner_text()
    assert not banner.get_by_role("button", name=re.compile("Resolve|Update")).count()
    assert_accessible(page)
    screenshot(page, "component-banner-in-review-expanded")


MANAGEMENT_DIALOGS = {
    "Edit professional details": "account_management.edit_professional_details",
    "Edit public details": "account_management.edit_public_details",
    "Edit personal details": "account_management.edit_personal_details",
    "Edit payout details": "account_management.edit_payout_details",
}


def test_account_management_and_its_four_edit_dialogs(page: Any, site: PlatformSite) -> None:
    account = submitted_account(site)
    site.account_id = account.pk
    open_page(page, site, "account-management")
    management = page.locator("stripe-connect-account-management")
    management.get_by_role("heading", name="Account details").wait_for()
    assert "•••• 6789" in shadow_text(management)
    assert_accessible(page)
    screenshot(page, "component-management")

    # Professional and public details open at once; focus is trapped; Escape closes.
    for name in ("Edit professional details", "Edit public details"):
        opener = management.get_by_role("button", name=name)
        opener.click()
        modal = dialog(page)
        modal.get_by_role("heading", name=name).wait_for()
        assert query_of(support_href(modal)) == {"source": MANAGEMENT_DIALOGS[name]}
        assert_accessible(page)
        screenshot(page, "component-management-" + name.split()[1])
        for _ in range(30):
            page.keyboard.press("Tab")
            inside = page.evaluate(
                "() => { const host = document.querySelector('stripe-connect-account-management');"
                " const active = host.shadowRoot.activeElement; return !!active && !!active.closest('dialog'); }"
            )
            assert inside, "focus left the dialog"
        page.keyboard.press("Escape")
        modal.wait_for(state="detached")
        assert (
            page.evaluate(
                "() => document.querySelector('stripe-connect-account-management').shadowRoot.activeElement.textContent"
            )
            == "Edit"
        )

    management.get_by_role("button", name="Edit public details").click()
    modal = dialog(page)
    modal.get_by_label("Statement descriptor").fill("<bad>")
    modal.get_by_role("button", name="Save").click()
    modal.get_by_text("Use 5 to 22 letters").wait_for()
    modal.get_by_label("Statement descriptor").fill("Fern and Fig")
    modal.get_by_label("Customer support email").fill("help@fernfig.example")
    modal.get_by_role("button", name="Save").click()
    modal.wait_for(state="detached")
    management.get_by_text("FERN AND FIG").wait_for()

    # Personal and payout details need a recent authentication: the popup first.
    management.get_by_role("button", name="Edit personal details").click()
    modal = dialog(page)
    modal.get_by_role("heading", name="Verify it's you").wait_for()
    verify_in_popup(page)
    modal.get_by_role("heading", name="Edit personal details").wait_for()
    assert query_of(support_href(modal)) == {"source": MANAGEMENT_DIALOGS["Edit personal details"]}
    assert_accessible(page)
    screenshot(page, "component-management-personal")
    modal.get_by_label("Mobile phone").fill("12")
    modal.get_by_role("button", name="Save").click()
    modal.get_by_text("Invalid phone number").wait_for()
    modal.get_by_label("Mobile phone").fill(PHONE)
    modal.get_by_label("Apartment, suite, etc.").fill("Suite 300")
    modal.get_by_role("button", name="Save").click()
    modal.wait_for(state="detached")

    page.evaluate("window.instance.update({ appearance: { overlays: 'drawer' } })")
    management.get_by_role("button", name="Edit payout details").click()
    modal = dialog(page)
    assert modal.get_attribute("data-overlay") == "drawer"
    modal.get_by_label("Routing number").wait_for()  # authenticated a moment ago: straight to the form
    assert query_of(support_href(modal)) == {"source": MANAGEMENT_DIALOGS["Edit payout details"]}
    assert_accessible(page)
    screenshot(page, "component-management-payout-drawer")
    modal.get_by_label("Account holder name").fill("Robin Owner")
    modal.get_by_label("Routing number").fill("021000021")
    modal.get_by_label("Account number", exact=True).fill("987654321")
    modal.get_by_label("Confirm account number").fill("987654320")
    modal.get_by_role("button", name="Save").click()
    modal.get_by_text("The account numbers don't match.").wait_for()
    modal.get_by_label("Confirm account number").fill("987654321")
    modal.get_by_role("button", name="Save").click()
    modal.wait_for(state="detached")
    management.get_by_text("•••• 4321").wait_for()

    management.get_by_role("button", name="Edit professional details").click()
    modal = dialog(page)
    modal.get_by_label("Business website").fill("https://fernandfig.example")
    modal.get_by_role("button", name="Save").click()
    modal.wait_for(state="detached")

    account.refresh_from_db()
    assert account.settings["payments"]["statement_descriptor"] == "FERN AND FIG"
    assert account.business_profile["support_email"] == "help@fernfig.example"
    assert account.business_profile["url"] == "https://fernandfig.example"
    assert account.representative is not None
    assert account.representative.address["line2"] == "Suite 300"
    assert account.external_accounts[0]["routing_number"] == "021000021"
    assert account.external_accounts[0]["last4"] == "4321"


def test_contact_support_for_an_eligible_account_opens_the_support_site_signed_in(
    page: Any, site: PlatformSite, live_url: str
) -> None:
    account = submitted_account(site)
    site.account_id = account.pk
    open_page(page, site, "account-management")
    management = page.locator("stripe-connect-account-management")
    management.get_by_role("button", name="Edit payout details").click()
    modal = dialog(page)
    link = modal.get_by_role("link", name=re.compile("^Contact support"))
    href = str(link.get_attribute("href"))
    assert href.startswith(f"{live_url}/embedded-connect/?")
    assert link.get_attribute("target") == "_blank"
    verify_in_popup(page)
    modal.get_by_label("Routing number").wait_for()
    with page.context.expect_page() as new_tab:
        modal.get_by_role("link", name=re.compile("^Contact support")).click()
    support = new_tab.value
    support.wait_for_url(re.compile(r"/embedded-connect/\?source=account_management\.edit_payout_details"))
    support.wait_for_load_state()
    state = support.request.get(f"{live_url}/embedded-connect/auth/me").json()
    assert state["signed_in"] is True
    assert state["account"]["id"] == account.pk
    assert state["method"] == "handoff"
    screenshot(support, "component-support-site-from-payout-dialog")


def test_contact_support_for_an_ineligible_account_leads_to_the_platform(page: Any, site: PlatformSite) -> None:
    account = submitted_account(
        site,
        supported=False,
        individual={
            **COMPLETE["individual"],
            "address": {**COMPLETE["individual"]["address"], "line1": "address_no_match"},
        },
    )
    site.account_id = account.pk
    open_page(page, site, "notification-banner,account-management")
    banner = page.locator("stripe-connect-notification-banner")
    banner.get_by_role("heading", name=re.compile("paused")).wait_for()
    management = page.locator("stripe-connect-account-management")
    hrefs = [support_href(banner)]
    for name in MANAGEMENT_DIALOGS:
        management.get_by_role("button", name=name).click()
        modal = dialog(page)
        modal.get_by_role("heading").first.wait_for()
        hrefs.append(support_href(modal))
        assert (
            modal.get_by_role("link", name=re.compile("^Contact support")).get_attribute("data-support") == "platform"
        )
        page.keyboard.press("Escape")
        modal.wait_for(state="detached")
    banner.get_by_role("button", name=re.compile("Update")).click()
    modal = dialog(page)
    modal.get_by_role("heading").first.wait_for()
    hrefs.append(support_href(modal))
    screenshot(page, "component-banner-platform-support")
    assert hrefs == [PLATFORM_HELP] * 6  # never the operator's support site or chat


def test_a_spent_secret_is_reported_and_a_fresh_one_fetched(page: Any, site: PlatformSite) -> None:
    account = submitted_account(site)
    site.account_id = account.pk
    spent = site.mint()
    from connect_support.embedded.claims import account_session_claim

    account_session_claim(client_secret=spent)
    site.next_secrets.append(spent)
    open_page(page, site, "account-management")
    page.locator("stripe-connect-account-management").get_by_role("heading", name="Account details").wait_for()
    errors = events(page, "loadError")
    assert errors[0]["error"]["type"] == "authentication_error"
    assert "already used" in errors[0]["error"]["message"]
    assert errors[0]["elementTagName"] == "stripe-connect-account-management"
    assert len(events(page, "fetchClientSecret")) == 2


def test_an_expired_session_is_replaced_while_the_page_is_open(page: Any, site: PlatformSite) -> None:
    account = submitted_account(site)
    site.account_id = account.pk
    open_page(page, site, "account-management")
    management = page.locator("stripe-connect-account-management")
    management.get_by_role("heading", name="Account details").wait_for()
    AccountSession.objects.filter(account=account).update(expires_at=0)
    management.get_by_role("button", name="Edit public details").click()
    modal = dialog(page)
    modal.get_by_label("Public business name").fill("Fern & Fig Studio")
    modal.get_by_role("button", name="Save").click()
    modal.wait_for(state="detached")
    assert events(page, "loadError")[-1]["error"]["type"] == "authentication_error"
    assert len(events(page, "fetchClientSecret")) == 2
    account.refresh_from_db()
    assert account.business_profile["name"] == "Fern & Fig Studio"


def test_a_page_on_an_unregistered_origin_is_refused(page: Any, site: PlatformSite) -> None:
    account = submitted_account(site)
    site.account_id = account.pk
    Platform.objects.filter(pk=account.platform_id).update(allowed_origins=["https://app.platform.example"])
    open_page(page, site, "account-management")
    management = page.locator("stripe-connect-account-management")
    management.get_by_text("This section couldn't load.").wait_for()
    error = events(page, "loadError")[-1]["error"]
    assert error["type"] == "invalid_request_error"
    assert site.origin in error["message"]
    assert "not registered" in error["message"]
    assert not management.get_by_role("button", name="Try again").count()
    # The secret was not spent: nothing about the account was handed out.
    assert AccountSession.objects.filter(account=account, claimed_at__isnull=False).count() == 0


def test_a_network_failure_is_retried_by_the_component(page: Any, site: PlatformSite) -> None:
    account = submitted_account(site)
    site.account_id = account.pk
    failures = {"left": 2}

    def flaky(route: Any) -> None:
        if failures["left"]:
            failures["left"] -= 1
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/embedded/api/components/**", flaky)
    open_page(page, site, "account-management")
    page.locator("stripe-connect-account-management").get_by_role("heading", name="Account details").wait_for()
    assert failures["left"] == 0
    assert not events(page, "loadError")


def test_a_wrong_publishable_key_is_refused_clearly(page: Any, site: PlatformSite) -> None:
    other = platform_with_keys()
    account = submitted_account(site)
    site.account_id = account.pk
    open_page(page, site, "account-management", pk=other.publishable_key)
    page.locator("stripe-connect-account-management").get_by_text("This section couldn't load.").wait_for()
    error = events(page, "loadError")[-1]["error"]
    assert error["type"] == "invalid_request_error"
    assert "publishable key" in error["message"]


def test_the_example_of_the_embedding_guide_works_from_another_origin(page: Any, site: PlatformSite) -> None:
    account = submitted_account(
        site,
        individual={
            **COMPLETE["individual"],
            "address": {**COMPLETE["individual"]["address"], "line1": "address_no_match"},
        },
    )
    site.account_id = account.pk
    page.goto(f"{site.origin}/docs-example")
    page.locator("stripe-connect-notification-banner").get_by_role("heading", name=re.compile("paused")).wait_for()
    page.locator("stripe-connect-account-management").get_by_role("heading", name="Account details").wait_for()
    assert_accessible(page)
    screenshot(page, "component-docs-example")


def test_the_demo_platform_embeds_the_components(page: Any, live_url: str) -> None:
    from connect_support.platform_demo.seed import seed_demo

    seeded = seed_demo(base_url=live_url)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    juniper, ledgerly = seeded["platforms"]
    restricted = juniper["accounts"][1]
    page.goto(f"{live_url}/demo/?platform=juniper")
    page.get_by_role("link", name=f"Open seller settings of {restricted['business_name']}").click()
    page.wait_for_url(re.compile(rf"/demo/juniper/sellers/{restricted['id']}/$"))
    banner = page.locator("stripe-connect-notification-banner")
    banner.get_by_role("heading", name="Payments and payouts are paused").wait_for()
    page.locator("stripe-connect-account-management").get_by_role("heading", name="Account details").wait_for()
    assert page.locator("#notification-count").inner_text() == "1"
    assert_accessible(page)
    screenshot(page, "demo-seller-settings")
    assert not [line for line in console if "Content Security Policy" in line]

    new_seller = juniper["accounts"][2]
    page.goto(f"{live_url}/demo/juniper/sellers/{new_seller['id']}/?overlays=drawer")
    onboarding = page.locator("stripe-connect-account-onboarding")
    onboarding.get_by_role("button", name="Start setup").click()
    assert dialog(page).get_attribute("data-overlay") == "drawer"
    assert query_of(support_href(dialog(page)))["source"] == "authentication.dialog"
    screenshot(page, "demo-seller-onboarding-drawer")

    platform_liable = ledgerly["accounts"][1]
    page.goto(f"{live_url}/demo/ledgerly/sellers/{platform_liable['id']}/")
    ledgerly_banner = page.locator("stripe-connect-notification-banner")
    ledgerly_banner.get_by_role("heading", name="Payments and payouts are paused").wait_for()
    assert support_href(ledgerly_banner) == "https://help.ledgerly.example/"
    assert not [line for line in console if "Content Security Policy" in line]
