"""Platforms in the console: Connect settings, the webhook delivery log with manual
redelivery, and co-branded email previews with test sends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from connect_support.identity.models import AuditEvent
from connect_support.webhooks.models import WebhookAttempt, WebhookDelivery
from connect_support.webhooks.services import event_create, webhook_endpoint_create
from tests.chat.support import agent_session
from tests.conftest import axe_violations, screenshot
from tests.factories import platform_with_keys
from tests.identity.fixtures import AGENT_PASSWORD, make_agent


def _signed_in(client: Client, roles: tuple[str, ...]) -> Client:
    user, secret = make_agent(email=f"{roles[0].replace(' ', '')}@operator.test", roles=roles)
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))})
    return client


@pytest.fixture
def admin(client: Client) -> Client:
    return _signed_in(client, ("admin",))


class _Receiver(BaseHTTPRequestHandler):
    answers: list[int] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(self.answers.pop(0) if self.answers else 200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[int]]]:
    answers: list[int] = []
    handler = type("Handler", (_Receiver,), {"answers": answers})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks", answers
    server.shutdown()


@pytest.mark.django_db
def test_only_admins_see_platforms(client: Client) -> None:
    keys = platform_with_keys()
    agent = _signed_in(client, ("support agent",))
    assert agent.get("/console/platforms/").status_code == 403
    assert agent.get(f"/console/platforms/{keys.platform.pk}/").status_code == 403
    assert "Platforms" not in agent.get("/console/me/").content.decode()


@pytest.mark.django_db
def test_settings_are_saved_and_audited(admin: Client) -> None:
    keys = platform_with_keys(name="Bakery Cloud", notification_banner_url="")
    listing = admin.get("/console/platforms/").content.decode()
    assert "Bakery Cloud" in listing
    assert "live sessions refused" in listing
    page = f"/console/platforms/{keys.platform.pk}/"
    form = {
        "business_name": "Bakery Cloud",
        "notification_banner": "https://app.bakery.example/notices",
        "account_management": "",
        "support_url": "https://help.bakery.example/",
        "support_email": "help@bakery.example",
        "primary_color": "#112233",
        "secondary_color": "#445566",
        "allowed_origins": "https://app.bakery.example\nhttps://Admin.Bakery.example:443/",
    }
    response = admin.post(page, form, follow=True)
    assert response.status_code == 200
    assert "Settings saved." in response.content.decode()
    keys.platform.refresh_from_db()
    assert keys.platform.notification_banner_url == "https://app.bakery.example/notices"
    assert keys.platform.allowed_origins == ["https://app.bakery.example", "https://admin.bakery.example"]
    event = AuditEvent.objects.get(kind="platform.settings_changed")
    assert set(event.detail["fields"]) >= {"notification_banner", "allowed_origins", "primary_color"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("notification_banner", "javascript:alert(1)", "absolute https URL"),
        ("allowed_origins", "https://*.bakery.example", "without a path or wildcard"),
        ("primary_color", "blue", "hex color"),
    ],
)
def test_bad_settings_show_next_to_their_field_and_change_nothing(
    admin: Client, field: str, value: str, message: str
) -> None:
    keys = platform_with_keys(name="Strict Co", notification_banner_url="https://app.strict.example/n")
    form = {
        "business_name": "Strict Co",
        "notification_banner": "https://app.strict.example/n",
        "primary_color": "#000000",
        "secondary_color": "#ffffff",
        "allowed_origins": "",
        field: value,
    }
    response = admin.post(f"/console/platforms/{keys.platform.pk}/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    keys.platform.refresh_from_db()
    assert keys.platform.notification_banner_url == "https://app.strict.example/n"
    assert keys.platform.brand_color != "blue"


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_is_listed_and_redelivered_by_hand(admin: Client, receiver: tuple[str, list[int]]) -> None:
    url, answers = receiver
    keys = platform_with_keys(name="Hooks Co")
    endpoint = webhook_endpoint_create(platform=keys.platform, livemode=False, url=url, enabled_events=["*"])
    answers.append(500)
    event = event_create(
        platform=keys.platform, livemode=False, type="account.updated", data_object={"id": "acct_hooks"}
    )
    delivery = WebhookDelivery.objects.get(event=event, endpoint=endpoint)
    page = admin.get(f"/console/platforms/{keys.platform.pk}/?status=pending").content.decode()
    assert event.pk in page

    # The endpoint answers 500 once, then 200: each manual redelivery is one logged try.
    redeliver = f"/console/platforms/{keys.platform.pk}/deliveries/{delivery.pk}/redeliver/"
    failed = admin.post(redeliver, {"next": "detail"}, follow=True).content.decode()
    assert "Not delivered (HTTP 500)" in failed
    response = admin.post(redeliver, {"next": "detail"}, follow=True)
    text = response.content.decode()
    assert "Delivered: the endpoint answered HTTP 200" in text
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert WebhookAttempt.objects.filter(delivery=delivery, status_code=200).exists()
    assert AuditEvent.objects.filter(kind="webhook.redelivered", detail__delivery=delivery.pk).exists()
    assert "&quot;type&quot;: &quot;account.updated&quot;" in text


@pytest.mark.django_db
def test_another_platforms_delivery_is_not_found(admin: Client) -> None:
    mine = platform_with_keys(name="Mine")
    theirs = platform_with_keys(name="Theirs")
    endpoint = webhook_endpoint_create(
        platform=theirs.platform, livemode=False, url="http://127.0.0.1:9/x", enabled_events=["*"]
    )
    event = event_create(platform=theirs.platform, livemode=False, type="account.updated", data_object={"id": "a"})
    delivery = WebhookDelivery.objects.get(event=event, endpoint=endpoint)
    assert admin.get(f"/console/platforms/{mine.platform.pk}/deliveries/{delivery.pk}/").status_code == 404
    assert admin.post(f"/console/platforms/{mine.platform.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 404


@pytest.mark.django_db
def test_email_previews_and_test_sends(admin: Client, mailoutbox: list[Any]) -> None:
    keys = platform_with_keys(name="Preview Co", brand_color="#aa0044", notification_banner_url="https://p.example/n")
    page = admin.get(f"/console/platforms/{keys.platform.pk}/emails/?kind=reserve&event=created")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Preview Co via" in text
    assert "Action needed" in text
    frame = admin.get(f"/console/platforms/{keys.platform.pk}/emails/preview.html?kind=reserve&event=created")
    assert frame.status_code == 200
    assert "#aa0044" in frame.content.decode()
    assert "stripe_account_id=acct_1PreviewSample0000" in frame.content.decode()
    assert "script-src 'none'" in frame["Content-Security-Policy"]
    assert frame["X-Frame-Options"] == "SAMEORIGIN"

    refused = admin.post(f"/console/platforms/{keys.platform.pk}/emails/", {"to": "not-an-email", "kind": "reserve"})
    assert refused.status_code == 400
    assert not mailoutbox
    sent = admin.post(
        f"/console/platforms/{keys.platform.pk}/emails/",
        {"to": "reviewer@operator.test", "kind": "reserve", "event": "resolved"},
        follow=True,
    )
    assert "Test email sent to reviewer@operator.test" in sent.content.decode()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("[Test] Your account review is complete")
    assert AuditEvent.objects.filter(kind="email.test_sent").count() == 1


@pytest.mark.browser
def test_platform_pages_read_well_and_pass_axe(live_url: str, page: Any) -> None:
    keys = platform_with_keys(name="Northwind Market", notification_banner_url="")
    endpoint = webhook_endpoint_create(
        platform=keys.platform, livemode=False, url="http://127.0.0.1:9/hooks", enabled_events=["*"]
    )
    event_create(platform=keys.platform, livemode=False, type="account.updated", data_object={"id": "acct_x"})
    assert endpoint.pk
    user, _ = make_agent(email="admin@operator.test", roles=("admin",))
    page.context.add_cookies([{"name": "sessionid", "value": agent_session(user), "url": live_url}])
    page.goto(f"{live_url}/console/platforms/{keys.platform.pk}/")
    assert page.get_by_role("heading", name="Northwind Market").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "console-platform")
    page.goto(f"{live_url}/console/platforms/{keys.platform.pk}/emails/?kind=pause_payouts&event=created")
    page.frame_locator("iframe.email-preview").get_by_text("Northwind Market").first.wait_for()
    assert axe_violations(page) == []
    screenshot(page, "console-platform-emails")
