"""Signing in, in Chromium: the support site by SMS code, the components' popup reporting
to an opener on another origin, and an agent's TOTP enrollment and login."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyotp
import pytest
from django.utils import timezone

from connect_support.embedded.claims import account_session_claim
from connect_support.embedded.models import AccountSession
from connect_support.embedded.sessions import account_session_create
from tests.conftest import axe_violations, screenshot
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import AGENT_PASSWORD, fresh_rate_limits, last_code, make_agent

__all__ = ["fresh_rate_limits"]
pytestmark = pytest.mark.browser
PHONE = "+14155550199"

OPENER_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Platform</title></head>
<body><main><h1>Payout settings</h1><button id="verify" type="button">Verify it's you</button>
<pre id="log"></pre></main><script>
const popupUrl = new URLSearchParams(location.search).get("popup");
window.addEventListener("message", (event) => {
  document.getElementById("log").textContent += JSON.stringify({origin: event.origin, data: event.data}) + "\\n";
});
document.getElementById("verify").addEventListener("click", () => {
  window.open(popupUrl, "connect-auth", "popup,width=480,height=680");
});
</script></body></html>"""


@pytest.fixture
def opener_origin() -> Iterator[str]:
    """A platform page on another origin: another host name and another port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = OPENER_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"]) for v in violations]


def test_support_site_sign_in_with_the_code_from_the_outbox(live_url: str, page: Any) -> None:
    make_account(platform_with_keys().platform, email="owner@business.example")
    page.goto(f"{live_url}/embedded-connect/auth/?next=/embedded-connect/auth/")
    assert_accessible(page)
    screenshot(page, "support-sign-in-start")
    page.keyboard.press("Tab")  # skip link, then the form is reachable by keyboard alone
    page.get_by_label("Email or mobile number").fill("owner@business.example")
    page.keyboard.press("Enter")
    page.wait_for_url("**/embedded-connect/auth/code")
    assert "•••• 0199" in page.inner_text("main")
    page.get_by_label("6-digit code").fill("000000")
    page.keyboard.press("Enter")
    page.locator(".field-error").wait_for()
    assert "That code isn't right" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "support-sign-in-wrong-code")
    page.get_by_label("6-digit code").fill(last_code(PHONE))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/embedded-connect/auth/")
    assert "You're signed in, Robin" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "support-signed-in")
    state = page.request.get(f"{live_url}/embedded-connect/auth/me").json()
    assert state["signed_in"] is True
    assert state["masked_phone"] == "•••• 0199"
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_role("heading", name="You're signed out").wait_for()
    assert page.request.get(f"{live_url}/embedded-connect/auth/me").json()["signed_in"] is False


def test_the_authentication_popup_reports_to_its_opener_on_another_origin(
    live_url: str, page: Any, opener_origin: str
) -> None:
    from urllib.parse import urlencode

    platform = platform_with_keys(allowed_origins=[opener_origin]).platform
    account = make_account(platform)
    created = account_session_create(account=account, components={}, known_components=("account_management",))
    token = account_session_claim(client_secret=created.client_secret).page_token
    popup_url = f"{live_url}/embedded/auth/?" + urlencode({"token": token, "origin": opener_origin})
    page.goto(f"{opener_origin}/payouts?" + urlencode({"popup": popup_url}))
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Verify it's you").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url == f"{live_url}/embedded/auth/"  # the token left the address bar
    assert "•••• 0199" in popup.inner_text("main")
    assert_accessible(popup)
    screenshot(popup, "auth-popup-start")
    popup.get_by_role("button", name="Text me a code").click()
    popup.wait_for_url("**/embedded/auth/code")
    popup.get_by_label("6-digit code").fill(last_code(PHONE))
    assert_accessible(popup)
    screenshot(popup, "auth-popup-code")
    with popup.expect_event("close", timeout=10_000):
        popup.get_by_role("button", name="Verify").click()
    page.wait_for_function("document.getElementById('log').textContent.includes('authenticated')")
    log = page.inner_text("#log")
    assert f'"origin":"{live_url}"' in log
    assert '"type":"connect-support:authenticated"' in log
    assert f'"accountSession":"{created.session.pk}"' in log
    assert AccountSession.objects.get(pk=created.session.pk).authenticated_at is not None


def test_an_agent_enrolls_totp_and_signs_in_again(live_url: str, page: Any) -> None:
    make_agent(email="new.agent@operator.test", roles=("support agent", "risk agent"), totp=False)
    page.goto(f"{live_url}/console/")
    page.wait_for_url("**/console/login/?next=%2Fconsole%2F")
    assert_accessible(page)
    screenshot(page, "console-login")
    page.get_by_label("Work email").fill("new.agent@operator.test")
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/console/enroll/")
    assert page.locator("figure svg").is_visible()
    assert_accessible(page)
    screenshot(page, "console-enroll")
    secret = page.inner_text(".secret").replace(" ", "")
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    page.locator(".codes").wait_for()
    codes = page.locator(".codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    screenshot(page, "console-recovery-codes")
    page.get_by_role("link", name="I've saved them — continue").click()
    page.wait_for_url(f"{live_url}/console/")
    page.get_by_role("link", name="My account").click()
    page.wait_for_url(f"{live_url}/console/me/")
    main = page.inner_text("main")
    assert "risk agent" in main
    assert "support agent" in main
    assert_accessible(page)
    screenshot(page, "console-home")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/login/?notice=signed-out")
    page.get_by_label("Work email").fill("new.agent@operator.test")
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/login/verify/")
    assert_accessible(page)
    # The enrollment used this 30-second step; the next code is accepted within one step of drift.
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30)))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_url}/console/")
    page.goto(f"{live_url}/console/outbox/")
    assert "Dev outbox" in page.inner_text("h1")
    assert_accessible(page)
    screenshot(page, "console-outbox")
