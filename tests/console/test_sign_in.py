"""The console's sign-in: password, TOTP or recovery code, enrollment, sign-out."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from connect_support.identity.models import AuditEvent, SignInSession, TotpDevice
from connect_support.identity.policy import AGENT_SECOND_FACTOR_FAILURES_PER_USER
from tests.identity.fixtures import AGENT_PASSWORD, make_agent

pytestmark = pytest.mark.django_db
EMAIL = "avery@operator.test"


def password_step(client: Client, email: str = EMAIL, password: str = AGENT_PASSWORD, next_url: str = "") -> Any:
    data = {"email": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/console/login/", data)


def code_for(secret: str, *, step_offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(timezone.now() + timedelta(seconds=30 * step_offset))


def sign_in(client: Client, secret: str) -> Any:
    assert password_step(client)["Location"] == "/console/verify/".replace("/verify/", "/login/verify/")
    return client.post("/console/login/verify/", {"code": code_for(secret)})


def test_the_console_asks_to_sign_in(client: Client) -> None:
    response = client.get("/console/outbox/")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=%2Fconsole%2Foutbox%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Sign in to the console" in page
    assert 'value="/console/outbox/"' in page


def test_password_then_totp_signs_in(client: Client) -> None:
    user, secret = make_agent(roles=("support agent", "risk agent"))
    response = password_step(client, next_url="/console/outbox/")
    assert response["Location"] == "/console/login/verify/"
    assert client.get("/console/").status_code == 302  # the password alone opens nothing
    page = client.get("/console/login/verify/").content.decode()
    assert "Two-step verification" in page
    response = client.post("/console/login/verify/", {"code": code_for(secret)})
    assert response["Location"] == "/console/outbox/"
    home = client.get("/console/me/").content.decode()
    assert "Welcome, Avery" in home
    assert "risk agent" in home
    assert "support agent" in home
    assert SignInSession.objects.filter(user=user, kind="agent", method="password+totp", revoked_at=None).exists()
    assert AuditEvent.objects.filter(kind="agent.sign_in", subject=user).exists()


def test_a_code_from_the_previous_window_is_accepted_once(client: Client) -> None:
    _user, secret = make_agent()
    password_step(client)
    old = code_for(secret, step_offset=-1)
    assert client.post("/console/login/verify/", {"code": old})["Location"] == "/console/"
    other = Client()
    password_step(other)
    replay = other.post("/console/login/verify/", {"code": old})
    assert replay.status_code == 400
    assert "already used" in replay.content.decode()


def test_wrong_passwords_say_the_same_thing_for_unknown_emails(client: Client) -> None:
    make_agent()
    wrong = password_step(client, password="nope")
    unknown = password_step(client, email="ghost@operator.test")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "That email and password don&#x27;t match an agent account." in response.content.decode()


def test_bad_input_on_the_login_form(client: Client) -> None:
    assert "Enter your work email." in client.post("/console/login/", {"password": "x"}).content.decode()
    huge = client.post("/console/login/", {"email": "a" * 10_240, "password": "b" * 10_240})
    assert huge.status_code == 400
    assert "too long" in huge.content.decode()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/console/login/", {"email": EMAIL, "password": AGENT_PASSWORD}).status_code == 403


def test_login_throttling(client: Client) -> None:
    make_agent()
    statuses = [password_step(client, password=f"guess-{i}").status_code for i in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert "Too many sign-in attempts" in password_step(client).content.decode()


def test_five_wrong_codes_send_the_agent_back_to_the_password(client: Client) -> None:
    _user, secret = make_agent()
    password_step(client)
    for _ in range(4):
        assert client.post("/console/login/verify/", {"code": "000000"}).status_code == 400
    response = client.post("/console/login/verify/", {"code": "000000"})
    assert response["Location"] == "/console/login/?notice=tries"
    assert client.post("/console/login/verify/", {"code": code_for(secret)})["Location"].startswith("/console/login/")


def test_second_factor_failures_are_throttled_across_attempts(client: Client) -> None:
    _user, secret = make_agent()
    for _ in range(AGENT_SECOND_FACTOR_FAILURES_PER_USER.count // 4 + 1):
        password_step(client)
        for _ in range(4):
            client.post("/console/login/verify/", {"code": "000000"})
    password_step(client)
    response = client.post("/console/login/verify/", {"code": code_for(secret)})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()


def test_the_password_step_expires(client: Client) -> None:
    _user, secret = make_agent()
    password_step(client)
    session = client.session
    session["cs.agent_pending"] = {**session["cs.agent_pending"], "at": 0}
    session.save()
    assert (
        client.post("/console/login/verify/", {"code": code_for(secret)})["Location"]
        == "/console/login/?notice=timeout"
    )


def test_a_recovery_code_signs_in_when_the_phone_is_lost(client: Client) -> None:
    user, secret = make_agent()
    sign_in(client, secret)
    page = client.post("/console/security/recovery-codes/", {"code": code_for(secret, step_offset=1)})
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page.content.decode())
    assert len(codes) == 10
    client.post("/console/logout/")
    other = Client()
    password_step(other)
    assert "Use a recovery code" in other.get("/console/login/verify/").content.decode()
    response = other.post("/console/login/verify/", {"method": "recovery", "code": codes[0]})
    assert response["Location"] == "/console/"
    assert SignInSession.objects.filter(user=user, method="password+recovery").exists()
    third = Client()
    password_step(third)
    assert third.post("/console/login/verify/", {"method": "recovery", "code": codes[0]}).status_code == 400


def test_first_sign_in_enrolls_an_authenticator(client: Client) -> None:
    user, _ = make_agent(totp=False)
    response = password_step(client)
    assert response["Location"] == "/console/enroll/"
    page = client.get("/console/enroll/").content.decode()
    assert "<svg" in page
    assert 'aria-label="QR code to add' in page
    key = re.search(r'<p class="secret"[^>]*>([A-Z2-7 ]+)</p>', page)
    assert key
    secret = key.group(1).replace(" ", "")
    assert client.get("/console/").status_code == 302  # not signed in before confirming
    wrong = client.post("/console/enroll/", {"code": "123"})
    assert wrong.status_code == 400
    assert "doesn&#x27;t match" in wrong.content.decode()
    done = client.post("/console/enroll/", {"code": code_for(secret)})
    assert done.status_code == 200
    assert len(re.findall(r"<li>[a-z0-9]{5}-[a-z0-9]{5}</li>", done.content.decode())) == 10
    assert TotpDevice.objects.get(user=user).secret == secret
    assert client.get("/console/").status_code == 200
    assert AuditEvent.objects.filter(kind="agent.totp_enrolled", subject=user).exists()
    # The next sign-in asks for a code from the new authenticator.
    other = Client()
    assert password_step(other)["Location"] == "/console/login/verify/"


def test_replacing_the_authenticator_needs_the_current_code(client: Client) -> None:
    user, secret = make_agent()
    sign_in(client, secret)
    refused = client.post("/console/security/authenticator/", {"code": "000000"})
    assert refused.status_code == 400
    assert "current code" in refused.content.decode()
    response = client.post("/console/security/authenticator/", {"code": code_for(secret, step_offset=1)})
    assert response["Location"] == "/console/enroll/"
    page = client.get("/console/enroll/").content.decode()
    new_secret = re.search(r'<p class="secret"[^>]*>([A-Z2-7 ]+)</p>', page).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert TotpDevice.objects.get(user=user).secret == secret  # the old one works until confirmed
    client.post("/console/enroll/", {"code": code_for(new_secret)})
    assert TotpDevice.objects.get(user=user).secret == new_secret
    assert AuditEvent.objects.filter(kind="agent.totp_reset", subject=user, actor=user).exists()


def test_sign_out_and_sign_out_everywhere(client: Client) -> None:
    user, secret = make_agent()
    sign_in(client, secret)
    elsewhere = Client()
    password_step(elsewhere)
    elsewhere.post("/console/login/verify/", {"code": code_for(secret, step_offset=1)})
    assert elsewhere.get("/console/").status_code == 200
    response = client.post("/console/logout/")
    assert response["Location"] == "/console/login/?notice=signed-out"
    assert client.get("/console/").status_code == 302
    assert elsewhere.get("/console/").status_code == 200
    # Each TOTP step is accepted once and steps only move forward: the third device uses a
    # recovery code.
    from connect_support.identity.agents import recovery_codes_generate

    third = Client()
    password_step(third)
    recovery = recovery_codes_generate(user=user, actor=user)[0]
    assert third.post("/console/login/verify/", {"method": "recovery", "code": recovery})["Location"] == "/console/"
    third.post("/console/logout/", {"everywhere": "1"})
    assert elsewhere.get("/console/").status_code == 302
    assert AuditEvent.objects.filter(kind="agent.sign_out_everywhere", subject=user).exists()


def test_idle_and_old_agent_sessions_end(client: Client) -> None:
    user, secret = make_agent()
    sign_in(client, secret)
    SignInSession.objects.filter(user=user).update(last_seen_at=timezone.now() - timedelta(minutes=31))
    assert client.get("/console/").status_code == 302
    assert AuditEvent.objects.filter(kind="agent.session_expired", subject=user, detail={"why": "idle"}).exists()
    password_step(client)
    client.post("/console/login/verify/", {"code": code_for(secret, step_offset=1)})
    assert client.get("/console/").status_code == 200
    SignInSession.objects.filter(user=user, revoked_at=None).update(expires_at=timezone.now())
    assert client.get("/console/").status_code == 302


def test_a_django_login_without_the_second_factor_is_not_enough(client: Client) -> None:
    user, _ = make_agent(roles=("admin",))
    client.force_login(user)  # what a password-only login would leave behind
    assert client.get("/console/").status_code == 302
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_admin_is_behind_the_console_sign_in(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == "/console/login/?next=%2Fadmin%2F"
    _user, secret = make_agent(roles=("admin",))
    password_step(client, next_url="/admin/")
    assert client.post("/console/login/verify/", {"code": code_for(secret)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/identity/auditevent/").status_code == 200


def test_agents_without_the_admin_role_get_a_403(client: Client) -> None:
    _user, secret = make_agent(roles=("content editor",))
    sign_in(client, secret)
    response = client.get("/admin/")
    assert response.status_code in {302, 403}
    followed = client.get("/admin/login/?next=/admin/")
    assert followed.status_code == 403
    assert "agents.manage" in followed.content.decode()


def test_role_changes_in_the_admin_are_audited(client: Client) -> None:
    admin, secret = make_agent(email="admin@operator.test", roles=("admin",))
    agent, _ = make_agent(roles=("support agent",))
    password_step(client, email="admin@operator.test")
    client.post("/console/login/verify/", {"code": code_for(secret)})
    page = client.get(f"/admin/auth/user/{agent.pk}/change/")
    assert page.status_code == 200
    from django.contrib.auth.models import Group

    risk = Group.objects.get_or_create(name="risk agent")[0]
    form = page.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update(
        {
            "username": agent.username,
            "email": agent.email,
            "is_active": "on",
            "is_staff": "on",
            "groups": [str(risk.pk)],
            "date_joined_0": agent.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": agent.date_joined.strftime("%H:%M:%S"),
        }
    )
    response = client.post(f"/admin/auth/user/{agent.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(User.objects.get(pk=agent.pk).groups.values_list("name", flat=True)) == {"risk agent"}
    events = {
        (kind, detail["role"])
        for kind, detail in AuditEvent.objects.filter(subject=agent, actor=admin).values_list("kind", "detail")
    }
    assert events == {("agent.role_granted", "risk agent"), ("agent.role_revoked", "support agent")}


def test_the_demo_agent_signs_in_with_the_seeded_secrets(client: Client) -> None:
    from connect_support.platform_demo.seed import seed_demo

    seeded = seed_demo(base_url="http://127.0.0.1:8000")["agent"]
    response = password_step(client, email=seeded["email"], password=seeded["password"])
    assert response["Location"] == "/console/login/verify/"
    assert client.post("/console/login/verify/", {"code": code_for(seeded["totp_secret"])})["Location"] == "/console/"
    assert "admin" in client.get("/console/me/").content.decode()
