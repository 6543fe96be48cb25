"""The authorization layer: every actor against every boundary."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.embedded.models import AccountSession
from connect_support.embedded.sessions import account_session_create
from connect_support.identity.access import (
    PERMISSIONS,
    AccessDeniedError,
    AccountUserActor,
    AgentActor,
    PlatformActor,
    account_get,
    actor_for_agent,
    actor_for_api_key,
    agent_can,
    scoped,
)
from connect_support.identity.agents import ROLES
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """Two platforms, two accounts each, one session per account."""
    alpha, beta = platform_with_keys(), platform_with_keys()
    accounts = {
        "a1": make_account(alpha.platform),
        "a2": make_account(alpha.platform, individual={"first_name": "A", "phone": "+14155550102"}),
        "b1": make_account(beta.platform, individual={"first_name": "B", "phone": "+14155550103"}),
    }
    sessions = {
        name: account_session_create(account=acct, components={}, known_components=("account_management",)).session
        for name, acct in accounts.items()
    }
    return {"alpha": alpha, "beta": beta, "accounts": accounts, "sessions": sessions}


def test_an_account_user_reaches_only_its_own_account(world: dict[str, Any]) -> None:
    mine, other, elsewhere = (world["accounts"][k] for k in ("a1", "a2", "b1"))
    actor = AccountUserActor(account_id=mine.pk, person_id=None)
    assert account_get(actor=actor, account_id=mine.pk) == mine
    assert account_get(actor=actor, account_id=other.pk) is None
    assert account_get(actor=actor, account_id=elsewhere.pk) is None
    people = scoped(actor=actor, queryset=Person.objects.all(), permission="accounts.view")
    assert {p.account_id for p in people} == {mine.pk}
    sessions = scoped(actor=actor, queryset=AccountSession.objects.all(), permission="accounts.view")
    assert [s.pk for s in sessions] == [world["sessions"]["a1"].pk]


def test_a_platform_key_reaches_only_its_platforms_accounts(world: dict[str, Any]) -> None:
    alpha_key = world["alpha"].platform.api_keys.get(kind="secret")
    actor = actor_for_api_key(key=alpha_key)
    assert actor == PlatformActor(platform_id=world["alpha"].platform.pk, livemode=False)
    visible = scoped(actor=actor, queryset=ConnectedAccount.objects.all(), account_field="pk", permission="x")
    assert set(visible.values_list("pk", flat=True)) == {world["accounts"]["a1"].pk, world["accounts"]["a2"].pk}
    assert account_get(actor=actor, account_id=world["accounts"]["b1"].pk) is None
    sessions = scoped(actor=actor, queryset=AccountSession.objects.all(), permission="x")
    assert world["sessions"]["b1"].pk not in {s.pk for s in sessions}
    # Live-mode keys see nothing of test mode.
    live = PlatformActor(platform_id=world["alpha"].platform.pk, livemode=True)
    assert account_get(actor=live, account_id=world["accounts"]["a1"].pk) is None


def test_the_api_answers_404_across_platforms(client: Client, world: dict[str, Any]) -> None:
    elsewhere = world["accounts"]["b1"]
    response = client.get(f"/v1/accounts/{elsewhere.pk}", **world["alpha"].auth)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"
    response = client.post(
        "/v1/account_sessions",
        {"account": elsewhere.pk, "components[account_management][enabled]": "true"},
        **world["alpha"].auth,
    )
    assert response.status_code in {400, 404}
    assert response.json()["error"]["param"] == "account"
    assert client.get(f"/v1/accounts/{elsewhere.pk}", **world["beta"].auth).status_code == 200


def test_deleted_accounts_are_out_of_reach(world: dict[str, Any]) -> None:
    from django.utils import timezone

    gone = world["accounts"]["a1"]
    ConnectedAccount.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    for actor in (
        AccountUserActor(account_id=gone.pk, person_id=None),
        actor_for_api_key(key=world["alpha"].platform.api_keys.get(kind="secret")),
    ):
        assert account_get(actor=actor, account_id=gone.pk) is None


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_exactly_its_permissions(role: str) -> None:
    actor = AgentActor(user_id=1, roles=frozenset({role}))
    allowed = {p for p in PERMISSIONS if agent_can(actor=actor, permission=p)}
    expected = {
        "support agent": {"console.use", "accounts.view", "cases.work", "chats.work", "outbox.view", "analytics.view"},
        "risk agent": {"console.use", "accounts.view", "risk.review", "outbox.view"},
        "content editor": {"console.use", "content.edit", "outbox.view"},
        "admin": set(PERMISSIONS),
    }[role]
    assert allowed == expected


def test_agents_without_the_permission_are_refused(world: dict[str, Any]) -> None:
    editor = actor_for_agent(user=make_agent(roles=("content editor",))[0])
    with pytest.raises(AccessDeniedError):
        account_get(actor=editor, account_id=world["accounts"]["a1"].pk)
    support = actor_for_agent(user=make_agent(email="s@operator.test", roles=("support agent",))[0])
    assert account_get(actor=support, account_id=world["accounts"]["b1"].pk) == world["accounts"]["b1"]
    nobody = AgentActor(user_id=0, roles=frozenset())
    assert not agent_can(actor=nobody, permission="console.use")
    account_user = AccountUserActor(account_id="acct_x", person_id=None)
    assert not agent_can(actor=account_user, permission="console.use")


def test_a_support_session_cannot_reach_the_console(client: Client, world: dict[str, Any]) -> None:
    from tests.identity.fixtures import last_code

    client.post("/embedded-connect/auth/", {"identifier": "+14155550102"})
    client.post("/embedded-connect/auth/code", {"code": last_code("+14155550102")})
    assert client.get("/embedded-connect/auth/me").json()["signed_in"] is True
    for path in ("/console/", "/console/outbox/", "/console/security/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/console/login/")
    assert client.get("/admin/").status_code == 302
