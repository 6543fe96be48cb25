"""Checking many account users' sessions at once (live chat re-checks thousands of
connections a minute): the same rules as one request, in a fixed number of statements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connect_support.identity import policy
from connect_support.identity.models import SignInSession
from connect_support.identity.sessions import support_sessions_check
from tests.factories import make_account, platform_with_keys

pytestmark = pytest.mark.django_db


def session(account: Any, *, seen_ago: float = 0, **fields: Any) -> SignInSession:
    now = timezone.now()
    defaults: dict[str, Any] = {
        "kind": SignInSession.Kind.SUPPORT,
        "method": "sms",
        "account": account,
        "created_at": now - timedelta(seconds=seen_ago),
        "authenticated_at": now - timedelta(seconds=seen_ago),
        "last_seen_at": now - timedelta(seconds=seen_ago),
        "expires_at": now + timedelta(hours=1),
    }
    defaults.update(fields)
    return SignInSession.objects.create(**defaults)


def test_valid_sessions_pass_and_each_broken_rule_fails_its_own() -> None:
    platform = platform_with_keys().platform
    account = make_account(platform)
    gone = make_account(platform, email="gone@shop.example")
    now = timezone.now()
    fine = session(account)
    revoked = session(account, revoked_at=now, revoked_reason="signed out")
    expired = session(account, expires_at=now - timedelta(seconds=1))
    idle = session(account, seen_ago=policy.SESSION_IDLE_SECONDS + 5)
    deleted = session(gone)
    gone.deleted_at = now
    gone.save(update_fields=["deleted_at"])
    ids = [fine.pk, revoked.pk, expired.pk, idle.pk, deleted.pk, "sis_unknown"]

    assert support_sessions_check(session_ids=ids, active_ids=set(), now=timezone.now()) == {fine.pk}
    # Idle and expired sessions are ended, with their reason; a revoked one keeps its own.
    reasons = dict(SignInSession.objects.filter(pk__in=ids).values_list("pk", "revoked_reason"))
    assert reasons[expired.pk] == "expired"
    assert reasons[idle.pk] == "idle"
    assert reasons[revoked.pk] == "signed out"
    assert reasons[fine.pk] == ""


def test_an_agent_session_is_not_an_account_users_session() -> None:
    account = make_account(platform_with_keys().platform)
    agent_kind = session(account, kind=SignInSession.Kind.AGENT)
    assert support_sessions_check(session_ids=[agent_kind.pk], active_ids=set(), now=timezone.now()) == set()


def test_activity_is_recorded_once_a_touch_interval_for_active_sessions_only() -> None:
    account = make_account(platform_with_keys().platform)
    active = session(account, seen_ago=policy.SESSION_TOUCH_SECONDS + 5)
    passive = session(account, seen_ago=policy.SESSION_TOUCH_SECONDS + 5)
    recent = session(account, seen_ago=1)
    before = {row.pk: row.last_seen_at for row in SignInSession.objects.all()}
    now = timezone.now()

    valid = support_sessions_check(
        session_ids=[active.pk, passive.pk, recent.pk], active_ids={active.pk, recent.pk}, now=now
    )

    assert valid == {active.pk, passive.pk, recent.pk}
    after = {row.pk: row.last_seen_at for row in SignInSession.objects.all()}
    assert after[active.pk] == now
    assert after[passive.pk] == before[passive.pk]
    assert after[recent.pk] == before[recent.pk]


def test_a_thousand_sessions_take_a_fixed_number_of_statements() -> None:
    account = make_account(platform_with_keys().platform)
    now = timezone.now()
    SignInSession.objects.bulk_create(
        [
            SignInSession(
                kind=SignInSession.Kind.SUPPORT,
                method="sms",
                account=account,
                created_at=now,
                authenticated_at=now,
                last_seen_at=now - timedelta(seconds=policy.SESSION_TOUCH_SECONDS + 5 + (n % 2) * 3600),
                expires_at=now + timedelta(hours=1),
            )
            for n in range(1000)
        ]
    )
    ids = list(SignInSession.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        valid = support_sessions_check(session_ids=ids, active_ids=set(ids), now=now)
    # One read, one statement ending the idle half, one recording the others' activity.
    assert len(queries) == 3
    assert len(valid) == 500
