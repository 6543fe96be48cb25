"""The SLA pages of the console: policies for admins, alerts for the agents who got them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from connect_support.cases.history import CaseActor
from connect_support.cases.models import Case
from connect_support.cases.services import case_update_fields
from connect_support.sla.escalation import sla_escalate_due
from connect_support.sla.models import CaseSla, SlaAlert, SlaPolicy
from tests.chat.support import agent_session
from tests.conftest import axe_violations, screenshot
from tests.identity.fixtures import make_agent
from tests.sla.conftest import open_case

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def signed_in(client: Client, user: User) -> Client:
    client.cookies[settings.SESSION_COOKIE_NAME] = agent_session(user)
    return client


@pytest.fixture
def admin(client: Client) -> Client:
    user, _ = make_agent(email="admin@operator.test", roles=("admin",))
    return signed_in(client, user)


def policy(priority: str, channel: str = "") -> SlaPolicy:
    return SlaPolicy.objects.get(priority=priority, channel=channel)


def edit(client: Client, target: SlaPolicy, **values: Any) -> Any:
    data = {"first_response": "2", "next_response": "4", "resolution": "16", "version": str(target.version)}
    data.update({key: str(value) for key, value in values.items()})
    return client.post(f"/console/sla/{target.pk}/", data)


def test_admins_see_the_default_policies_and_the_nav_link(admin: Client) -> None:
    page = admin.get("/console/sla/").content.decode()
    assert "SLA policies" in page
    assert 'href="/console/sla/"' in page  # the navigation link
    for text in ("Urgent", "Low", "Any channel", "Chat", "30 min", "1 h", "120 h"):
        assert text in page


def test_the_chat_settings_page_says_its_hours_drive_the_sla_clocks(admin: Client) -> None:
    page = admin.get("/console/chats/settings/").content.decode()
    assert 'count the business time of case <a href="/console/sla/">SLA targets</a>' in page


def test_support_agents_get_403_and_see_only_their_alerts_link(client: Client) -> None:
    user, _ = make_agent(roles=("support agent",))
    signed_in(client, user)
    response = client.get("/console/sla/")
    assert response.status_code == 403
    assert "agents.manage" in response.content.decode()
    home = client.get("/console/me/").content.decode()
    assert 'href="/console/sla/"' not in home
    assert 'href="/console/sla/alerts/"' in home
    assert client.post(f"/console/sla/{policy('low').pk}/", {"first_response": "1"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    assert client.get("/console/sla/")["Location"].startswith("/console/login/")


def test_editing_targets_applies_to_new_cases(admin: Client) -> None:
    normal = policy("normal")
    response = edit(admin, normal, first_response="1.5", next_response="3", resolution="24")
    assert response.status_code == 302
    normal.refresh_from_db()
    assert (normal.first_response_minutes, normal.next_response_minutes, normal.resolution_minutes) == (90, 180, 1440)
    assert normal.version == 2
    assert "Targets for Normal · Any channel saved" in admin.get("/console/sla/").content.decode()
    case = open_case()
    assert CaseSla.objects.get(case=case).first_response_due_at == case.created_at + 90 * timedelta(minutes=1)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"first_response": "soon"}, "Enter a number of hours, like 4 or 1.5."),
        ({"first_response": "0"}, "At least 0.25 (15 minutes)."),
        ({"resolution": "99999"}, "At most 8760 hours (365 days)."),
        ({"resolution": "1e400"}, "That number is too large."),
        ({"first_response": "1.125"}, "Use at most two decimals."),
        ({"first_response": "10", "resolution": "8"}, "The first response must be due no later than the resolution."),
        ({"next_response": ""}, "This field is required."),
    ],
)
def test_bad_targets_are_refused_and_nothing_changes(admin: Client, values: dict[str, str], message: str) -> None:
    urgent = policy("urgent")
    response = edit(admin, urgent, **values)
    assert response.status_code == 400
    assert message in response.content.decode()
    urgent.refresh_from_db()
    assert (urgent.first_response_minutes, urgent.resolution_minutes, urgent.version) == (60, 480, 1)


def test_a_stale_edit_is_refused_and_a_double_submit_is_harmless(admin: Client) -> None:
    high = policy("high")
    assert edit(admin, high, first_response="3").status_code == 302
    # The same form sent again (a double click): nothing to refuse.
    assert edit(admin, high, first_response="3").status_code == 302
    # A form opened before that save, asking for something else.
    stale = edit(admin, high, first_response="2")
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Someone else changed this policy after you opened it" in page
    assert 'value="3"' in page  # the form shows what is saved now
    high.refresh_from_db()
    assert (high.first_response_minutes, high.version) == (180, 2)


def test_a_damaged_form_is_refused_with_a_message(admin: Client) -> None:
    response = edit(admin, policy("low"), version="tampered")
    assert response.status_code == 400
    assert "The form was incomplete. Reload the page and try again." in response.content.decode()
    assert policy("low").version == 1


def test_text_is_escaped_and_unknown_policies_are_404(admin: Client) -> None:
    response = edit(admin, policy("low"), first_response="<script>alert(1)</script>")
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert admin.get("/console/sla/999999/").status_code == 404


def test_a_channel_gets_its_own_targets_once(admin: Client) -> None:
    data = {"priority": "high", "channel": "web", "first_response": "2", "next_response": "4", "resolution": "16"}
    assert admin.post("/console/sla/", data).status_code == 302
    added = policy("high", "web")
    assert added.first_response_minutes == 120
    again = admin.post("/console/sla/", data)
    assert again.status_code == 400
    assert "There is already a policy for High · Web form; edit it instead." in again.content.decode()
    bad = admin.post("/console/sla/", {**data, "channel": "fax"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()
    assert admin.post(f"/console/sla/{added.pk}/remove/").status_code == 302
    assert not SlaPolicy.objects.filter(pk=added.pk).exists()
    # The any-channel targets cannot be removed: every priority keeps a fallback.
    fallback = policy("high")
    admin.post(f"/console/sla/{fallback.pk}/remove/")
    assert SlaPolicy.objects.filter(pk=fallback.pk).exists()
    assert admin.get(f"/console/sla/{added.pk}/remove/").status_code == 405


def test_agents_read_their_alerts_and_mark_them_read(client: Client) -> None:
    user, _ = make_agent(email="assignee@operator.test")
    other, _ = make_agent(email="other@operator.test")
    mine, theirs = open_case(subject="Mine"), open_case(subject="Theirs")
    case_update_fields(case=mine, actor=CaseActor.agent(user), assignee=user)
    case_update_fields(case=theirs, actor=CaseActor.agent(other), assignee=other)
    sla_escalate_due(now=mine.created_at + 9 * H)
    signed_in(client, user)
    page = client.get("/console/sla/alerts/").content.decode()
    assert f"Case #{mine.number}: first response overdue" in page
    assert "Theirs" not in page
    assert f'href="/console/cases/{mine.number}/"' in page
    assert "raised from normal to high" in page
    assert "1 unread" in page
    # Another agent's alert id is ignored.
    their_alert = SlaAlert.objects.get(case=theirs)
    client.post("/console/sla/alerts/", {"alert": [str(their_alert.pk), "x" * 40]})
    their_alert.refresh_from_db()
    assert their_alert.read_at is None
    my_alert = SlaAlert.objects.get(case=mine)
    assert client.post("/console/sla/alerts/", {"alert": str(my_alert.pk)}).status_code == 302
    my_alert.refresh_from_db()
    assert my_alert.read_at is not None
    assert "0 unread" in client.get("/console/sla/alerts/").content.decode()


def test_the_timer_component_renders_for_any_case() -> None:
    from django.template import engines

    case = open_case()
    template = engines["django"].from_string("{% load sla %}{% sla_timer case %}")
    html = template.render({"case": case})
    assert "First response" in html
    assert "7h 59m left" in html or "8h 00m left" in html
    assert "sla-timer--running" in html
    Case.objects.filter(pk=case.pk).update(priority="low")
    CaseSla.objects.filter(case=case).delete()
    assert "No SLA on this case." in template.render({"case": case})


@pytest.mark.browser
def test_sla_pages_read_well_work_by_keyboard_and_pass_axe(live_url: str, page: Any) -> None:
    user, _ = make_agent(email="admin@operator.test", roles=("admin",))
    case = open_case(subject="Payout missing since Monday")
    case_update_fields(case=case, actor=CaseActor.agent(user), assignee=user)
    second = open_case(subject="Verification documents refused")
    case_update_fields(case=second, actor=CaseActor.agent(user), assignee=user)
    sla_escalate_due(now=case.created_at + 9 * H)
    page.context.add_cookies([{"name": "sessionid", "value": agent_session(user), "url": live_url}])

    page.goto(f"{live_url}/console/sla/")
    assert page.get_by_role("heading", name="SLA policies").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "console-sla-policies")

    # Keyboard only: from the Edit link of the first row, change a target and save.
    page.get_by_role("link", name="Edit Urgent · Any channel").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/sla/*/")
    page.get_by_label("First response").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/sla/")
    assert page.get_by_role("status").inner_text().startswith("Targets for Urgent · Any channel saved")
    assert policy("urgent").first_response_minutes == 30

    page.goto(f"{live_url}/console/sla/{policy('low').pk}/")
    page.get_by_label("First response").fill("90")
    page.get_by_label("Resolution").fill("2")
    page.get_by_role("button", name="Save targets").click()
    assert page.get_by_role("alert").first.inner_text().strip() != ""
    assert axe_violations(page) == []
    screenshot(page, "console-sla-policy-error")

    page.goto(f"{live_url}/console/sla/alerts/")
    assert page.get_by_role("heading", name=f"Case #{case.number}: first response overdue").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "console-sla-alerts")

    # The timers on the case page: the first response breached, the resolution running.
    page.get_by_role("link", name=f"Case #{case.number}: first response overdue").click()
    page.wait_for_url(f"**/console/cases/{case.number}/")
    timers = page.locator(".sla-timers").first
    assert "First response" in timers.inner_text()
    assert "Resolution" in timers.inner_text()
    history = page.get_by_role("heading", name="History").locator("xpath=..").inner_text()
    assert "First response target" in history
    assert "breached" in history
    page.locator(".sla-timers").first.scroll_into_view_if_needed()
    screenshot(page, "console-sla-case-timers")


def test_the_case_page_shows_the_timers(client: Client) -> None:
    user, _ = make_agent(roles=("support agent",))
    case = open_case(subject="Payout missing")
    signed_in(client, user)
    page = client.get(f"/console/cases/{case.number}/").content.decode()
    assert "sla-timer--running" in page
    assert "First response" in page
    assert "Resolution" in page
