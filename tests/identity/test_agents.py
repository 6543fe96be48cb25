"""Agents' factors, roles and the audit trail, at the service level."""

from __future__ import annotations

import pyotp
import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from connect_support.identity.agents import (
    agent_password_check,
    agent_role_grant,
    agent_role_revoke,
    agent_roles,
    agent_second_factor_check,
    recovery_code_use,
    recovery_codes_generate,
    recovery_codes_left,
    totp_reset,
)
from connect_support.identity.backends import RoleAwareBackend
from connect_support.identity.models import AuditEvent, RecoveryCode, SignInSession, TotpDevice
from connect_support.identity.policy import AGENT_PASSWORD_FAILURES_PER_USERNAME
from tests.identity.fixtures import AGENT_PASSWORD, make_agent

pytestmark = pytest.mark.django_db


def request(ip: str = "198.51.100.9") -> object:
    return RequestFactory().post("/console/login/", REMOTE_ADDR=ip)


def test_passwords_are_hashed_with_argon2() -> None:
    from connect_support import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user, _ = make_agent()
    assert user.password.startswith("argon2$")


def test_password_check_accepts_agents_only() -> None:
    user, _ = make_agent()
    assert agent_password_check(request=request(), email="AVERY@operator.test ", password=AGENT_PASSWORD).user == user
    assert agent_password_check(request=request(), email="avery@operator.test", password="wrong").user is None
    customer = User.objects.create_user("customer@example.com", password=AGENT_PASSWORD)
    assert not customer.is_staff
    refused = agent_password_check(request=request(), email="customer@example.com", password=AGENT_PASSWORD)
    assert refused.user is None
    assert refused.message == "That email and password don't match an agent account."
    assert agent_password_check(request=request(), email="avery@operator.test", password="x" * 10_000).user is None


def test_password_guessing_is_throttled_even_with_the_right_password() -> None:
    make_agent()
    for i in range(AGENT_PASSWORD_FAILURES_PER_USERNAME.count):
        agent_password_check(request=request(f"203.0.113.{i}"), email="avery@operator.test", password=f"guess{i}")
    outcome = agent_password_check(request=request(), email="avery@operator.test", password=AGENT_PASSWORD)
    assert outcome.user is None
    assert outcome.throttled
    assert "Too many sign-in attempts" in outcome.message
    assert AuditEvent.objects.filter(kind="agent.password_failed").count() == AGENT_PASSWORD_FAILURES_PER_USERNAME.count
    assert AuditEvent.objects.filter(kind="agent.throttled", subject_label="avery@operator.test").exists()


def test_a_totp_code_works_once() -> None:
    user, secret = make_agent()
    code = pyotp.TOTP(secret).now()
    assert agent_second_factor_check(request=request(), user=user, code=code, recovery=False).ok
    replay = agent_second_factor_check(request=request(), user=user, code=code, recovery=False)
    assert not replay.ok
    assert "already used" in replay.message
    assert TotpDevice.objects.get(user=user).last_step > 0


def test_recovery_codes_are_single_use_and_stored_as_digests() -> None:
    user, _ = make_agent()
    codes = recovery_codes_generate(user=user, actor=user)
    assert len(codes) == 10
    stored = set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert not stored & {c.replace("-", "") for c in codes}
    assert recovery_code_use(user=user, code=codes[0].upper())
    assert not recovery_code_use(user=user, code=codes[0])
    assert recovery_codes_left(user=user) == 9
    new = recovery_codes_generate(user=user, actor=user)
    assert not recovery_code_use(user=user, code=codes[1])  # the old set is gone
    assert recovery_code_use(user=user, code=new[1])
    assert AuditEvent.objects.filter(subject=user, kind="agent.recovery_codes_generated").count() == 2


def test_role_changes_are_audited() -> None:
    admin, _ = make_agent(email="admin@operator.test", roles=("admin",))
    agent, _ = make_agent(roles=("support agent",))
    assert agent_role_grant(actor=admin, agent=agent, role="risk agent")
    assert not agent_role_grant(actor=admin, agent=agent, role="risk agent")
    assert agent_roles(user=agent) == {"support agent", "risk agent"}
    assert agent_role_revoke(actor=admin, agent=agent, role="support agent")
    kinds = list(AuditEvent.objects.filter(subject=agent, actor=admin).values_list("kind", "detail"))
    assert ("agent.role_granted", {"role": "risk agent"}) in kinds
    assert ("agent.role_revoked", {"role": "support agent"}) in kinds
    with pytest.raises(ValueError, match="Unknown role"):
        agent_role_grant(actor=admin, agent=agent, role="owner")


def test_an_admin_reset_of_the_second_factor_ends_the_agents_sessions() -> None:
    admin, _ = make_agent(email="admin@operator.test", roles=("admin",))
    agent, _ = make_agent()
    from django.utils import timezone

    now = timezone.now()
    SignInSession.objects.create(
        kind="agent",
        method="password+totp",
        user=agent,
        created_at=now,
        authenticated_at=now,
        last_seen_at=now,
        expires_at=now,
    )
    totp_reset(actor=admin, agent=agent)
    assert not TotpDevice.objects.filter(user=agent).exists()
    assert SignInSession.objects.get(user=agent).revoked_reason == "second factor reset"
    assert AuditEvent.objects.filter(kind="agent.totp_reset", subject=agent, actor=admin).exists()


def test_the_admin_role_holds_every_django_permission() -> None:
    admin, _ = make_agent(email="admin@operator.test", roles=("admin",))
    editor, _ = make_agent(roles=("content editor",))
    backend = RoleAwareBackend()
    assert backend.has_perm(admin, "auth.change_user")
    assert backend.has_module_perms(admin, "auth")
    assert not backend.has_perm(editor, "auth.change_user")
