"""The authentication dialog of the components: a popup on the operator's origin.

The component opens ``/embedded/auth/?token=<page token>&origin=<its page's origin>``.
The popup checks the token and that the origin is one the platform registered, keeps
both in the popup's server session (the token leaves the address bar at once), texts a
code to the account's representative, and on the right code marks the account session
authenticated and reports back with ``postMessage`` to exactly that origin.

``POST /embedded/auth/handoff`` gives an authenticated component a one-time link that
opens the support site signed in.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connect_support.accounts.models import Person
from connect_support.embedded.claims import (
    account_session_from_page_token,
    account_session_is_authenticated,
    account_session_mark_authenticated,
)
from connect_support.embedded.models import AccountSession
from connect_support.identity import policy
from connect_support.identity.audit import AuditKind, audit_record, client_ip
from connect_support.identity.challenges import (
    ChallengeRefusedError,
    challenge_get,
    challenge_resend,
    challenge_start_for_person,
    challenge_verify,
)
from connect_support.identity.codes import mask_phone
from connect_support.identity.forms import CodeForm
from connect_support.identity.handoff import handoff_issue
from connect_support.identity.headers import keep_cross_origin_opener, origin_allowed
from connect_support.identity.models import OtpChallenge
from connect_support.identity.views import safe_next

POPUP_KEY = "cs.popup"
MESSAGE_TYPE = "connect-support:authenticated"


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(POPUP_KEY)
    return state if isinstance(state, dict) else {}


def _session(state: dict[str, Any]) -> AccountSession | None:
    session_id = state.get("accs")
    if not isinstance(session_id, str):
        return None
    return (
        AccountSession.objects.select_related("account", "platform")
        .filter(pk=session_id, claimed_at__isnull=False)
        .first()
    )


def _representative(session: AccountSession) -> Person | None:
    person = session.account.representative
    return person if person is not None and person.phone else None


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"embedded/auth/{template}", context, status=status)


def _problem(request: HttpRequest, title: str, message: str, status: int = 400) -> HttpResponse:
    return _page(request, "problem.html", {"title": title, "message": message}, status=status)


def _live_session(request: HttpRequest) -> tuple[dict[str, Any], AccountSession | None]:
    state = _state(request)
    session = _session(state)
    if session is None or session.expires_at <= int(time.time()) or session.account.deleted_at is not None:
        return state, None
    return state, session


EXPIRED_TITLE = "This window has expired"
EXPIRED_MESSAGE = "Close this window and choose the action again on your platform's page."


@never_cache
@keep_cross_origin_opener
@require_safe
def popup(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token")
    if token is not None:
        session = account_session_from_page_token(token=token[:300])
        if session is None:
            return _problem(request, EXPIRED_TITLE, EXPIRED_MESSAGE)
        origin = origin_allowed(platform=session.platform, origin=request.GET.get("origin", ""))
        if origin is None:
            return _problem(
                request,
                "This page can't verify you",
                "The page that opened this window is not registered by the platform. Close this window.",
                status=403,
            )
        request.session[POPUP_KEY] = {"accs": session.pk, "origin": origin}
        return HttpResponseRedirect(reverse("embedded-auth"))
    state, live = _live_session(request)
    if live is None:
        return _problem(request, EXPIRED_TITLE, EXPIRED_MESSAGE)
    return _page(request, "start.html", _start_context(state, live))


def _start_context(state: dict[str, Any], live: AccountSession) -> dict[str, Any]:
    person = _representative(live)
    return {
        "session": live,
        "platform": live.platform,
        "account": live.account,
        "person": person,
        "masked_phone": mask_phone(person.phone) if person is not None else "",
        "popup_data": {"origin": state["origin"], "accountSession": live.pk},
    }


@never_cache
@keep_cross_origin_opener
@require_POST
def send(request: HttpRequest) -> HttpResponse:
    state, live = _live_session(request)
    if live is None:
        return _problem(request, EXPIRED_TITLE, EXPIRED_MESSAGE)
    person = _representative(live)
    if person is None:
        return _problem(
            request,
            "No mobile number on file",
            f"Ask {live.platform.display_name} to add the mobile number of the account's representative, "
            "then try again.",
        )
    try:
        started = challenge_start_for_person(
            account=live.account, person=person, purpose=OtpChallenge.Purpose.COMPONENT, ip=client_ip(request)
        )
    except ChallengeRefusedError as refused:
        context = _start_context(state, live)
        context["error"] = refused.message
        return _page(request, "start.html", context, status=429)
    request.session[POPUP_KEY] = {**state, "challenge": started.challenge.pk, "problem": started.delivery_problem}
    return HttpResponseRedirect(reverse("embedded-auth-code"))


def _code_context(
    state: dict[str, Any], live: AccountSession, challenge: OtpChallenge, form: CodeForm
) -> dict[str, Any]:
    wait = policy.CODE_RESEND_COOLDOWN_SECONDS - int(time.time() - challenge.last_sent_at.timestamp())
    return {
        "form": form,
        "challenge": challenge,
        "session": live,
        "platform": live.platform,
        "account": live.account,
        "problem": state.get("problem", ""),
        "resend_wait": max(wait, 0),
        "minutes": policy.CODE_TTL_SECONDS // 60,
        "popup_data": {"origin": state["origin"], "accountSession": live.pk},
    }


def _popup_challenge(state: dict[str, Any], live: AccountSession) -> OtpChallenge | None:
    challenge = challenge_get(challenge_id=str(state.get("challenge", "")))
    # The challenge must be this popup's, for this session's account.
    if challenge is None or challenge.account_id != live.account_id or challenge.purpose != "component":
        return None
    return challenge


@never_cache
@keep_cross_origin_opener
@require_http_methods(["GET", "HEAD", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    state, live = _live_session(request)
    if live is None:
        return _problem(request, EXPIRED_TITLE, EXPIRED_MESSAGE)
    challenge = _popup_challenge(state, live)
    if challenge is None:
        return HttpResponseRedirect(reverse("embedded-auth"))
    if request.method == "GET":
        return _page(request, "code.html", _code_context(state, live, challenge, CodeForm()))
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, "code.html", _code_context(state, live, challenge, form), status=400)
    outcome = challenge_verify(challenge_id=challenge.pk, code=form.cleaned_data["code"], ip=client_ip(request))
    if not outcome.ok or outcome.challenge is None or outcome.challenge.person is None:
        form.add_error("code", outcome.message)
        context = _code_context(state, live, outcome.challenge or challenge, form)
        context["finished"] = outcome.finished
        return _page(request, "code.html", context, status=429 if outcome.throttled else 400)
    account_session_mark_authenticated(session=live, person=outcome.challenge.person)
    audit_record(
        kind=AuditKind.COMPONENT_AUTHENTICATED,
        request=request,
        account_id=live.account_id,
        detail={"account_session": live.pk},
    )
    request.session[POPUP_KEY] = {"accs": live.pk, "origin": state["origin"], "done": True}
    return HttpResponseRedirect(reverse("embedded-auth-done"))


@never_cache
@keep_cross_origin_opener
@require_safe
def done(request: HttpRequest) -> HttpResponse:
    state, live = _live_session(request)
    if live is None or not state.get("done") or live.authenticated_at is None:
        return _problem(request, EXPIRED_TITLE, EXPIRED_MESSAGE)
    message = {
        "type": MESSAGE_TYPE,
        "accountSession": live.pk,
        "account": live.account_id,
        "authenticatedAt": int(live.authenticated_at.timestamp()),
    }
    context = {"platform": live.platform, "popup_data": {"origin": state["origin"], "message": message}}
    return _page(request, "done.html", context)


@never_cache
@keep_cross_origin_opener
@require_POST
def resend(request: HttpRequest) -> HttpResponse:
    state, live = _live_session(request)
    if live is None:
        return _problem(request, EXPIRED_TITLE, EXPIRED_MESSAGE)
    challenge = _popup_challenge(state, live)
    if challenge is None:
        return HttpResponseRedirect(reverse("embedded-auth"))
    try:
        started = challenge_resend(challenge_id=challenge.pk, ip=client_ip(request))
    except ChallengeRefusedError as refused:
        context = _code_context(state, live, challenge, CodeForm())
        context["resend_error"] = refused.message
        return _page(request, "code.html", context, status=429)
    request.session[POPUP_KEY] = {**state, "problem": started.delivery_problem}
    return HttpResponseRedirect(reverse("embedded-auth-code") + "?resent=1")


def _json(body: dict[str, Any], status: int, origin: str | None) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    return response


@csrf_exempt  # authenticated by the page token in the body, never by cookies
@require_POST
def handoff(request: HttpRequest) -> JsonResponse:
    """A one-time link to the support site, signed in as the component's authenticated user.

    Send ``token`` (the page token) and ``next`` (a support-site path) form-encoded: a simple
    cross-origin request, answered with CORS headers only for the platform's origins."""
    session = account_session_from_page_token(token=request.POST.get("token", ""))
    if session is None:
        error = {"type": "authentication_error", "code": "page_token_invalid", "message": "The page token is invalid."}
        return _json({"error": error}, 401, None)
    origin_header = request.headers.get("Origin", "")
    origin = origin_allowed(platform=session.platform, origin=origin_header) if origin_header else None
    if origin_header and origin is None:
        error = {"type": "invalid_request_error", "code": "origin_not_allowed", "message": "Unregistered origin."}
        return _json({"error": error}, 403, None)
    if not account_session_is_authenticated(session=session) or session.authenticated_at is None:
        error = {
            "type": "authentication_error",
            "code": "authentication_required",
            "message": "The account user has not authenticated in this session.",
        }
        return _json({"error": error}, 403, origin)
    raw = handoff_issue(
        account=session.account,
        person=session.authenticated_person,
        authenticated_at=session.authenticated_at,
        source=session.pk,
    )
    next_url = safe_next(request, request.POST.get("next"))
    url = request.build_absolute_uri(
        reverse("support-auth-handoff") + "?" + urlencode({"token": raw, "next": next_url})
    )
    return _json({"url": url, "expires_in": policy.HANDOFF_TTL_SECONDS}, 200, origin)
