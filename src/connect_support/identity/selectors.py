"""Who is signed in on this request: the support site's account user, or an agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.contrib.auth.models import User
from django.http import HttpRequest

from connect_support.accounts.eligibility import support_eligibility
from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.identity.access import AccountUserActor, AgentActor, actor_for_account_user, actor_for_agent
from connect_support.identity.codes import mask_phone
from connect_support.identity.models import SignInSession
from connect_support.identity.sessions import agent_session_resolve, support_session_resolve


@dataclass(frozen=True)
class SupportUser:
    """An account user signed in on the support site."""

    session: SignInSession
    account: ConnectedAccount
    person: Person | None

    @property
    def actor(self) -> AccountUserActor:
        return actor_for_account_user(account_id=self.account.pk, person_id=self.person.pk if self.person else None)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.person.phone) if self.person is not None and self.person.phone else ""

    @property
    def first_name(self) -> str:
        return self.person.first_name if self.person is not None else ""

    @property
    def authenticated_at(self) -> datetime:
        return self.session.authenticated_at


@dataclass(frozen=True)
class Agent:
    """An agent signed in with both factors."""

    session: SignInSession
    user: User

    @cached_property
    def actor(self) -> AgentActor:
        return actor_for_agent(user=self.user)


def support_user(request: HttpRequest) -> SupportUser | None:
    """The account user signed in on this browser, if the session is still valid."""
    session = support_session_resolve(request)
    if session is None or session.account is None or session.account.deleted_at is not None:
        return None
    return SupportUser(session=session, account=session.account, person=session.person)


def support_user_summary(request: HttpRequest) -> dict[str, object]:
    """The JSON the support site's Contact support panel reads (``/embedded-connect/auth/me``)."""
    user = support_user(request)
    if user is None:
        return {"signed_in": False, "account": None, "masked_phone": None}
    eligibility = support_eligibility(user.account)
    return {
        "signed_in": True,
        "account": {
            "id": user.account.pk,
            "business_name": user.account.business_name,
            "platform": user.account.platform.display_name,
            "eligible": eligibility.eligible,
        },
        "masked_phone": user.masked_phone,
        "first_name": user.first_name,
        "method": user.session.method,
        "authenticated_at": int(user.authenticated_at.timestamp()),
        "expires_at": int(user.session.expires_at.timestamp()),
    }


def agent_user(request: HttpRequest) -> Agent | None:
    """The agent signed in with password and second factor, if the session is still valid.

    Remembered on the request for its session key (a console page asks many times: the
    guard, the navigation, the view), so the session and roles are read once per request."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    remembered = getattr(request, "_agent_user_memo", None)
    if remembered is not None and remembered[0] == key:
        return remembered[1]  # type: ignore[no-any-return]
    session = agent_session_resolve(request)
    agent = None
    if session is not None and session.user is not None and session.user.is_active:
        agent = Agent(session=session, user=session.user)
    request._agent_user_memo = (key, agent)  # type: ignore[attr-defined]
    return agent
