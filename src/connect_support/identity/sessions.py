"""Signed-in sessions of agents and account users: created at sign-in, checked on use.

Both kinds follow the same rules: the session key is rotated at sign-in, a session dies
after 30 idle minutes or 12 hours in all, and "sign out everywhere" revokes every session
of the person at once. The Django session carries only the id of a ``SignInSession`` row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.identity import policy
from connect_support.identity.audit import AuditKind, audit_record, client_ip
from connect_support.identity.models import SignInSession

AGENT_SESSION_KEY = "cs.agent_session"
SUPPORT_SESSION_KEY = "cs.support_session"
_RESOLVED_ATTR = "_cs_sign_in_sessions"


@dataclass
class _Resolved:
    agent: SignInSession | None = None
    support: SignInSession | None = None
    agent_done: bool = False
    support_done: bool = False


def _new_session(
    *,
    request: HttpRequest,
    kind: str,
    method: str,
    user: User | None = None,
    account: ConnectedAccount | None = None,
    person: Person | None = None,
    authenticated_at: datetime | None = None,
) -> SignInSession:
    now = timezone.now()
    return SignInSession.objects.create(
        kind=kind,
        method=method,
        user=user,
        account=account,
        person=person,
        created_at=now,
        authenticated_at=authenticated_at or now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=policy.SESSION_ABSOLUTE_SECONDS),
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:200],
    )


def _problem(*, revoked_at: datetime | None, expires_at: datetime, last_seen_at: datetime, now: datetime) -> str:
    if revoked_at is not None:
        return "revoked"
    if expires_at <= now:
        return "expired"
    if (now - last_seen_at).total_seconds() > policy.SESSION_IDLE_SECONDS:
        return "idle"
    return ""


def sign_in_session_problem(*, session: SignInSession, now: datetime) -> str:
    """Why the session can no longer be used, or "" if it can."""
    return _problem(
        revoked_at=session.revoked_at, expires_at=session.expires_at, last_seen_at=session.last_seen_at, now=now
    )


def support_sessions_check(*, session_ids: Collection[str], active_ids: Collection[str], now: datetime) -> set[str]:
    """The account users' sessions among ``session_ids`` that may still be used, checked
    together (live chat re-checks thousands of connections a minute): the same rules as
    resolving one on a request, in three statements whatever the number. A session found
    idle or expired is revoked; those in ``active_ids`` record the activity."""
    rows = SignInSession.objects.filter(pk__in=set(session_ids), kind=SignInSession.Kind.SUPPORT).values_list(
        "id", "revoked_at", "expires_at", "last_seen_at", "account__deleted_at"
    )
    valid: set[str] = set()
    ended: dict[str, list[str]] = {}
    touch: list[str] = []
    for session_id, revoked_at, expires_at, last_seen_at, deleted_at in rows:
        problem = _problem(revoked_at=revoked_at, expires_at=expires_at, last_seen_at=last_seen_at, now=now)
        if problem:
            if problem != "revoked":
                ended.setdefault(problem, []).append(session_id)
            continue
        if deleted_at is not None:
            continue
        valid.add(session_id)
        if session_id in active_ids and (now - last_seen_at).total_seconds() > policy.SESSION_TOUCH_SECONDS:
            touch.append(session_id)
    for reason, ids in ended.items():
        SignInSession.objects.filter(pk__in=ids, revoked_at__isnull=True).update(revoked_at=now, revoked_reason=reason)
    if touch:
        SignInSession.objects.filter(pk__in=touch).update(last_seen_at=now)
    return valid


def sign_in_session_revoke(*, session: SignInSession, reason: str) -> None:
    SignInSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def sign_in_sessions_revoke_for_user(*, user: User, reason: str) -> int:
    return SignInSession.objects.filter(kind=SignInSession.Kind.AGENT, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def sign_in_sessions_revoke_for_person(*, account_id: str, person_id: str | None, reason: str) -> int:
    sessions = SignInSession.objects.filter(
        kind=SignInSession.Kind.SUPPORT, account_id=account_id, revoked_at__isnull=True
    )
    if person_id is not None:
        sessions = sessions.filter(person_id=person_id)
    return sessions.update(revoked_at=timezone.now(), revoked_reason=reason)


def _resolved(request: HttpRequest) -> _Resolved:
    resolved: _Resolved | None = getattr(request, _RESOLVED_ATTR, None)
    if resolved is None:
        resolved = _Resolved()
        setattr(request, _RESOLVED_ATTR, resolved)
    return resolved


def _load(request: HttpRequest, key: str, kind: str) -> tuple[SignInSession | None, str]:
    session_id = request.session.get(key)
    if not isinstance(session_id, str):
        return None, ""
    row = (
        SignInSession.objects.select_related("user", "account", "account__platform", "person")
        .filter(pk=session_id, kind=kind)
        .first()
    )
    if row is None:
        return None, "revoked"
    now = timezone.now()
    problem = sign_in_session_problem(session=row, now=now)
    if problem:
        if problem != "revoked":
            sign_in_session_revoke(session=row, reason=problem)
        return None, problem
    if (now - row.last_seen_at).total_seconds() > policy.SESSION_TOUCH_SECONDS:
        SignInSession.objects.filter(pk=row.pk).update(last_seen_at=now)
        row.last_seen_at = now
    return row, ""


def agent_session_resolve(request: HttpRequest) -> SignInSession | None:
    """The agent's valid session, or None. A Django login without a valid session (idle,
    expired, revoked elsewhere, or made without the second factor) is logged out here."""
    resolved = _resolved(request)
    if resolved.agent_done:
        return resolved.agent
    resolved.agent_done = True
    user_id = request.session.get("_auth_user_id")
    if user_id is None:
        request.session.pop(AGENT_SESSION_KEY, None)
        return None
    row, problem = _load(request, AGENT_SESSION_KEY, SignInSession.Kind.AGENT)
    if row is not None and str(row.user_id) != str(user_id):
        row, problem = None, "mismatch"
    if row is None:
        subject = User.objects.filter(pk=user_id).first()
        if problem in {"idle", "expired"} and subject is not None:
            audit_record(
                kind=AuditKind.AGENT_SESSION_EXPIRED, request=request, subject=subject, detail={"why": problem}
            )
        logout(request)
        _resolved(request).agent_done = True
        return None
    resolved.agent = row
    return row


def support_session_resolve(request: HttpRequest) -> SignInSession | None:
    resolved = _resolved(request)
    if resolved.support_done:
        return resolved.support
    resolved.support_done = True
    row, problem = _load(request, SUPPORT_SESSION_KEY, SignInSession.Kind.SUPPORT)
    if row is None and problem:
        request.session.pop(SUPPORT_SESSION_KEY, None)
    resolved.support = row
    return row


def agent_sign_in(*, request: HttpRequest, user: User, method: str) -> SignInSession:
    """Log the agent in (Django rotates the session key) once both factors are proven."""
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    session = _new_session(request=request, kind=SignInSession.Kind.AGENT, method=method, user=user)
    request.session[AGENT_SESSION_KEY] = session.pk
    resolved = _resolved(request)
    resolved.agent, resolved.agent_done = session, True
    audit_record(kind=AuditKind.AGENT_SIGN_IN, request=request, actor=user, subject=user, detail={"method": method})
    return session


def agent_sign_out(*, request: HttpRequest, everywhere: bool = False) -> None:
    session = agent_session_resolve(request)
    if session is not None and session.user is not None:
        user = session.user
        if everywhere:
            count = sign_in_sessions_revoke_for_user(user=user, reason="signed out everywhere")
            audit_record(
                kind=AuditKind.AGENT_SIGN_OUT_EVERYWHERE,
                request=request,
                actor=user,
                subject=user,
                detail={"sessions": count},
            )
        else:
            sign_in_session_revoke(session=session, reason="signed out")
            audit_record(kind=AuditKind.AGENT_SIGN_OUT, request=request, actor=user, subject=user)
    logout(request)
    resolved = _resolved(request)
    resolved.agent, resolved.agent_done = None, True
    resolved.support, resolved.support_done = None, True


def support_sign_in(
    *,
    request: HttpRequest,
    account: ConnectedAccount,
    person: Person | None,
    method: str,
    authenticated_at: datetime | None = None,
) -> SignInSession:
    """Sign the browser into the support site for one account, on a fresh session key."""
    previous = support_session_resolve(request)
    if previous is not None:
        sign_in_session_revoke(session=previous, reason="replaced")
    request.session.cycle_key()
    session = _new_session(
        request=request,
        kind=SignInSession.Kind.SUPPORT,
        method=method,
        account=account,
        person=person,
        authenticated_at=authenticated_at,
    )
    request.session[SUPPORT_SESSION_KEY] = session.pk
    resolved = _resolved(request)
    resolved.support, resolved.support_done = session, True
    audit_record(
        kind=AuditKind.SUPPORT_SIGN_IN,
        request=request,
        account_id=account.pk,
        subject_label=person.pk if person is not None else "",
        detail={"method": method},
    )
    return session


def support_sign_out(*, request: HttpRequest, everywhere: bool = False) -> int:
    """Sign the support site out here (or on every device); returns the sessions ended."""
    session = support_session_resolve(request)
    ended = 0
    if session is not None and session.account_id is not None:
        if everywhere:
            ended = sign_in_sessions_revoke_for_person(
                account_id=session.account_id, person_id=session.person_id, reason="signed out everywhere"
            )
        else:
            sign_in_session_revoke(session=session, reason="signed out")
            ended = 1
        audit_record(
            kind=AuditKind.SUPPORT_SIGN_OUT_EVERYWHERE if everywhere else AuditKind.SUPPORT_SIGN_OUT,
            request=request,
            account_id=session.account_id,
            detail={"sessions": ended},
        )
    request.session.pop(SUPPORT_SESSION_KEY, None)
    request.session.cycle_key()
    resolved = _resolved(request)
    resolved.support, resolved.support_done = None, True
    return ended
