"""One authorization layer: who the actor is, and what each actor may reach.

Every read of account-owned data goes through ``scoped`` (or ``account_get``) with the
actor, never through a bare queryset:

- an account user (support-site or component session) reaches only its own account;
- a platform (API key) reaches only its platform's accounts, in the key's mode;
- an agent reaches what its roles allow: lacking a permission is a ``AccessDeniedError`` (403,
  the console does not hide that things exist), while the scoped reads of the first two
  simply find nothing (404, so that ids of other accounts reveal nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet

from connect_support.accounts.models import ApiKey, ConnectedAccount
from connect_support.identity.agents import ROLES, agent_roles


class AccessDeniedError(Exception):
    """The actor is known but its role does not allow this (answered with 403)."""

    def __init__(self, permission: str) -> None:
        super().__init__(f"This needs the permission {permission!r}.")
        self.permission = permission


@dataclass(frozen=True)
class AccountUserActor:
    account_id: str
    person_id: str | None


@dataclass(frozen=True)
class PlatformActor:
    platform_id: str
    livemode: bool


@dataclass(frozen=True)
class AgentActor:
    user_id: int
    roles: frozenset[str]


Actor = AccountUserActor | PlatformActor | AgentActor

# What each role may do in the console. "admin" holds every permission.
PERMISSIONS: dict[str, frozenset[str]] = {
    "console.use": frozenset(ROLES),
    "accounts.view": frozenset({"support agent", "risk agent", "admin"}),
    "cases.work": frozenset({"support agent", "admin"}),
    "chats.work": frozenset({"support agent", "admin"}),
    "risk.review": frozenset({"risk agent", "admin"}),
    "content.edit": frozenset({"content editor", "admin"}),
    "outbox.view": frozenset(ROLES),
    "audit.view": frozenset({"admin"}),
    # Exporting and erasing an account's or a requester's personal data (privacy/).
    "privacy.manage": frozenset({"admin"}),
    "agents.manage": frozenset({"admin"}),
    "analytics.view": frozenset({"support agent", "admin"}),
}

M = TypeVar("M", bound=Model)


def actor_for_agent(*, user: User) -> AgentActor:
    return AgentActor(user_id=user.pk, roles=agent_roles(user=user))


def actor_for_api_key(*, key: ApiKey) -> PlatformActor:
    return PlatformActor(platform_id=key.platform_id, livemode=key.livemode)


def actor_for_account_user(*, account_id: str, person_id: str | None) -> AccountUserActor:
    return AccountUserActor(account_id=account_id, person_id=person_id)


def agent_can(*, actor: Actor, permission: str) -> bool:
    if not isinstance(actor, AgentActor):
        return False
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}.")
    return bool(actor.roles & PERMISSIONS[permission])


def agent_require(*, actor: Actor, permission: str) -> None:
    if not agent_can(actor=actor, permission=permission):
        raise AccessDeniedError(permission)


def scoped(*, actor: Actor, queryset: QuerySet[M], account_field: str = "account", permission: str) -> QuerySet[M]:
    """The rows of ``queryset`` the actor may reach; ``account_field`` names the foreign key
    to the owning account (``"account"`` for cases, chats, persons, account sessions, …;
    ``"pk"`` for accounts themselves). Agents need ``permission``."""
    prefix = "" if account_field == "pk" else f"{account_field}__"
    own_id = "pk" if account_field == "pk" else f"{account_field}_id"
    if isinstance(actor, AccountUserActor):
        return queryset.filter(**{own_id: actor.account_id, f"{prefix}deleted_at__isnull": True})
    if isinstance(actor, PlatformActor):
        return queryset.filter(
            **{
                f"{prefix}platform_id": actor.platform_id,
                f"{prefix}livemode": actor.livemode,
                f"{prefix}deleted_at__isnull": True,
            }
        )
    agent_require(actor=actor, permission=permission)
    return queryset


def accounts_visible(*, actor: Actor) -> QuerySet[ConnectedAccount]:
    return scoped(actor=actor, queryset=ConnectedAccount.objects.all(), account_field="pk", permission="accounts.view")


def account_get(*, actor: Actor, account_id: str) -> ConnectedAccount | None:
    """The account if the actor may see it; None (a 404) otherwise."""
    if not account_id or len(account_id) > 40:
        return None
    return accounts_visible(actor=actor).filter(pk=account_id).first()
