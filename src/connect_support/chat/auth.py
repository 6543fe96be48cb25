"""Who is on the other end of a WebSocket, by the same rules as every HTTP request.

The browser sends the session cookie with the WebSocket handshake. We rebuild a request
from the handshake and ask identity's own selectors, so that the idle and absolute
limits, revocation ("sign out everywhere") and the two factors of agents apply exactly as
they do to pages. A connection re-checks its session now and then (``policy``); activity
on the connection counts as activity of the session, like a page view does.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie
from importlib import import_module
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from connect_support.accounts.eligibility import support_eligibility
from connect_support.chat.selectors import agent_display_name
from connect_support.identity.access import agent_can
from connect_support.identity.models import SignInSession
from connect_support.identity.selectors import agent_user, support_user
from connect_support.identity.sessions import sign_in_session_problem, support_sessions_check


@dataclass(frozen=True)
class CustomerIdentity:
    """An account user signed in on the support site."""

    session_id: str
    account_id: str
    person_id: str | None
    name: str
    first_name: str
    email: str
    eligible: bool
    platform_name: str
    platform_support_url: str
    platform_support_email: str

    @property
    def requester_key(self) -> str:
        return f"{self.account_id}:{self.person_id or '-'}"


@dataclass(frozen=True)
class AgentIdentity:
    """An agent signed in with both factors."""

    session_id: str
    user_id: int
    name: str
    # What customers see: the first name only.
    display_name: str
    can_chat: bool


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def session_key_of(scope: dict[str, Any]) -> str:
    cookie = SimpleCookie()
    try:
        cookie.load(_header(scope, b"cookie"))
    except Exception:  # a malformed Cookie header is the same as none
        return ""
    morsel = cookie.get(settings.SESSION_COOKIE_NAME)
    return morsel.value if morsel is not None else ""


def request_for(scope: dict[str, Any]) -> HttpRequest | None:
    """A request carrying the handshake's session, for identity's selectors; None without
    a session cookie."""
    key = session_key_of(scope)
    if not key or len(key) > 64:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    request = HttpRequest()
    request.session = engine.SessionStore(key)
    request.COOKIES = {settings.SESSION_COOKIE_NAME: key}
    client = scope.get("client") or ("", 0)
    request.META = {
        "REMOTE_ADDR": client[0] or "",
        "HTTP_USER_AGENT": _header(scope, b"user-agent"),
        "HTTP_HOST": _header(scope, b"host"),
    }
    request.path = str(scope.get("path", ""))
    return request


def customer_for(scope: dict[str, Any]) -> CustomerIdentity | None:
    request = request_for(scope)
    if request is None:
        return None
    user = support_user(request)
    if user is None:
        return None
    account = user.account
    person = user.person
    name = person.full_name if person is not None and person.full_name else account.business_name
    email = (person.email if person is not None and person.email else "") or account.email
    platform = account.platform
    return CustomerIdentity(
        session_id=user.session.pk,
        account_id=account.pk,
        person_id=person.pk if person is not None else None,
        name=name,
        first_name=user.first_name or name.split(" ")[0],
        email=email,
        eligible=support_eligibility(account).eligible,
        platform_name=platform.display_name,
        platform_support_url=platform.support_url,
        platform_support_email=platform.support_email,
    )


def agent_for(scope: dict[str, Any]) -> AgentIdentity | None:
    request = request_for(scope)
    if request is None:
        return None
    agent = agent_user(request)
    if agent is None:
        return None
    user = agent.user
    full = user.get_full_name() or user.email or user.get_username()
    return AgentIdentity(
        session_id=agent.session.pk,
        user_id=user.pk,
        name=full,
        display_name=agent_display_name(user),
        can_chat=agent_can(actor=agent.actor, permission="chats.work"),
    )


def session_still_valid(*, scope: dict[str, Any], session_id: str, agent: bool, activity: bool) -> bool:
    """Whether the connection's sign-in session may still be used. With ``activity`` the
    check goes through identity's selectors again (which also records the activity);
    without, it only reads the session's row (heartbeats are not a person's activity)."""
    if activity:
        request = request_for(scope)
        if request is None:
            return False
        if agent:
            signed_in_agent = agent_user(request)
            return signed_in_agent is not None and signed_in_agent.session.pk == session_id
        user = support_user(request)
        return user is not None and user.session.pk == session_id
    row = SignInSession.objects.filter(pk=session_id).first()
    return row is not None and not sign_in_session_problem(session=row, now=timezone.now())


def customer_sessions_valid(checks: list[tuple[str, bool]]) -> list[bool]:
    """For many customer connections at once: (session id, active since the last check)
    → whether the session may still be used. Agents are few and use ``session_still_valid``."""
    valid = support_sessions_check(
        session_ids=[session_id for session_id, _active in checks],
        active_ids={session_id for session_id, active in checks if active},
        now=timezone.now(),
    )
    return [session_id in valid for session_id, _active in checks]


def connect_retry_after(*, session_id: str, ip: str) -> int:
    """0 when this new connection is within the limits (reconnect storms), else the
    seconds to wait."""
    from connect_support.chat import policy
    from connect_support.identity.ratelimit import rate_limit_hit

    for limit, key in ((policy.CONNECTS_PER_SESSION, session_id), (policy.CONNECTS_PER_IP, ip or "unknown")):
        decision = rate_limit_hit(limit=limit, key=key)
        if not decision.allowed:
            return decision.retry_after
    return 0
