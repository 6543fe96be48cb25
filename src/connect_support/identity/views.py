"""Support-site sign-in pages under ``/embedded-connect/auth/``: email or phone → code →
signed in; choosing a business when a phone represents several; sign-out; the hand-off
landing; and the JSON the Contact support panel reads."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.identity import policy
from connect_support.identity.audit import AuditKind, audit_record, client_ip
from connect_support.identity.challenges import (
    ChallengeRefusedError,
    challenge_get,
    challenge_resend,
    challenge_start_for_identifier,
    challenge_verify,
)
from connect_support.identity.forms import AccountChoiceForm, CodeForm, IdentifierForm
from connect_support.identity.handoff import handoff_redeem
from connect_support.identity.models import OtpChallenge, SignInSession
from connect_support.identity.ratelimit import rate_limit_hit
from connect_support.identity.selectors import support_user, support_user_summary
from connect_support.identity.sessions import support_sign_in, support_sign_out

SUPPORT_HOME = "/embedded-connect/"
FLOW_KEY = "cs.signin"
VERIFIED_KEY = "cs.signin_verified"


def safe_next(request: HttpRequest, raw: str | None) -> str:
    """Where to go after signing in: a path on the support site, never elsewhere."""
    if (
        raw
        and len(raw) <= 500
        and raw.startswith(SUPPORT_HOME)
        and url_has_allowed_host_and_scheme(raw, allowed_hosts=None, require_https=request.is_secure())
    ):
        return raw
    return SUPPORT_HOME


def _flow(request: HttpRequest) -> dict[str, Any]:
    flow = request.session.get(FLOW_KEY)
    return flow if isinstance(flow, dict) else {}


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"identity/{template}", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    signed_in = support_user(request)
    if request.method == "GET":
        if signed_in is not None:
            return _render(request, "signed_in.html", {"support_user": signed_in, "next": next_url})
        notice = ""
        if request.GET.get("reason") == "handoff":
            notice = "That link has expired or was already used. Sign in with a code to chat with us."
        elif request.GET.get("reason") == "expired":
            notice = "You were signed out after a while without activity. Sign in again to continue."
        return _render(request, "start.html", {"form": IdentifierForm(), "next": next_url, "notice": notice})
    form = IdentifierForm(request.POST)
    if not form.is_valid():
        return _render(request, "start.html", {"form": form, "next": next_url}, status=400)
    try:
        started = challenge_start_for_identifier(identifier=form.cleaned_data["identifier"], ip=client_ip(request))
    except ChallengeRefusedError as refused:
        form.add_error(None, refused.message)
        response = _render(request, "start.html", {"form": form, "next": next_url}, status=429)
        response["Retry-After"] = str(refused.retry_after)
        return response
    request.session[FLOW_KEY] = {
        "challenge": started.challenge.pk,
        "next": next_url,
        "problem": started.delivery_problem,
    }
    return HttpResponseRedirect(reverse("support-auth-code"))


def _code_context(request: HttpRequest, challenge: OtpChallenge, form: CodeForm, **extra: Any) -> dict[str, Any]:
    flow = _flow(request)
    wait = policy.CODE_RESEND_COOLDOWN_SECONDS - int(time.time() - challenge.last_sent_at.timestamp())
    return {
        "form": form,
        "challenge": challenge,
        "next": flow.get("next", SUPPORT_HOME),
        "problem": flow.get("problem", ""),
        "resend_wait": max(wait, 0),
        "minutes": policy.CODE_TTL_SECONDS // 60,
        **extra,
    }


def _finish(request: HttpRequest, challenge: OtpChallenge, next_url: str) -> HttpResponse:
    """A correct code: sign in straight away, or ask which business when there are several."""
    accounts = _candidates(challenge)
    if len(accounts) == 1:
        account = accounts[0]
        support_sign_in(request=request, account=account, person=_person(challenge, account), method="sms")
        request.session.pop(FLOW_KEY, None)
        return HttpResponseRedirect(next_url)
    request.session[VERIFIED_KEY] = {"challenge": challenge.pk, "at": int(time.time()), "next": next_url}
    request.session.pop(FLOW_KEY, None)
    return HttpResponseRedirect(reverse("support-auth-choose"))


def _candidates(challenge: OtpChallenge) -> list[ConnectedAccount]:
    """The accounts this proven phone may sign into, still represented by that phone now."""
    if not challenge.phone:
        return []
    return list(
        ConnectedAccount.objects.filter(
            pk__in=challenge.candidate_account_ids,
            deleted_at__isnull=True,
            persons__phone=challenge.phone,
            persons__relationship__representative=True,
        )
        .select_related("platform")
        .prefetch_related("persons")
        .distinct()
        .order_by("-created")
    )


def _person(challenge: OtpChallenge, account: ConnectedAccount) -> Person | None:
    person = account.representative
    return person if person is not None and person.phone == challenge.phone else None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    flow = _flow(request)
    challenge = challenge_get(challenge_id=str(flow.get("challenge", "")))
    if challenge is None:
        return HttpResponseRedirect(reverse("support-auth-start"))
    next_url = safe_next(request, flow.get("next"))
    if request.method == "GET":
        return _render(request, "code.html", _code_context(request, challenge, CodeForm()))
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render(request, "code.html", _code_context(request, challenge, form), status=400)
    outcome = challenge_verify(challenge_id=challenge.pk, code=form.cleaned_data["code"], ip=client_ip(request))
    if outcome.ok and outcome.challenge is not None:
        return _finish(request, outcome.challenge, next_url)
    if outcome.finished and challenge.consumed_at is not None and support_user(request) is not None:
        return HttpResponseRedirect(next_url)  # a double submit after success
    form.add_error("code", outcome.message)
    fresh = challenge_get(challenge_id=challenge.pk) or challenge
    context = _code_context(request, fresh, form, finished=outcome.finished)
    return _render(request, "code.html", context, status=429 if outcome.throttled else 400)


@never_cache
@require_POST
def resend(request: HttpRequest) -> HttpResponse:
    flow = _flow(request)
    challenge = challenge_get(challenge_id=str(flow.get("challenge", "")))
    if challenge is None:
        return HttpResponseRedirect(reverse("support-auth-start"))
    try:
        started = challenge_resend(challenge_id=challenge.pk, ip=client_ip(request))
    except ChallengeRefusedError as refused:
        form = CodeForm()
        context = _code_context(request, challenge, form, resend_error=refused.message)
        return _render(request, "code.html", context, status=429)
    request.session[FLOW_KEY] = {**flow, "problem": started.delivery_problem}
    return HttpResponseRedirect(reverse("support-auth-code") + "?resent=1")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def choose(request: HttpRequest) -> HttpResponse:
    verified = request.session.get(VERIFIED_KEY)
    if not isinstance(verified, dict) or time.time() - verified.get("at", 0) > policy.VERIFIED_CHOICE_TTL_SECONDS:
        request.session.pop(VERIFIED_KEY, None)
        return HttpResponseRedirect(reverse("support-auth-start"))
    challenge = challenge_get(challenge_id=str(verified.get("challenge", "")))
    accounts = _candidates(challenge) if challenge is not None else []
    if challenge is None or challenge.consumed_at is None or not accounts:
        return HttpResponseRedirect(reverse("support-auth-start"))
    form = AccountChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = next((a for a in accounts if a.pk == form.cleaned_data["account"]), None)
        if chosen is not None:
            support_sign_in(request=request, account=chosen, person=_person(challenge, chosen), method="sms")
            request.session.pop(VERIFIED_KEY, None)
            return HttpResponseRedirect(safe_next(request, verified.get("next")))
        form.add_error("account", "Choose one of the businesses listed.")
    status = 400 if request.method == "POST" else 200
    return _render(request, "choose.html", {"form": form, "accounts": accounts}, status=status)


@never_cache
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    everywhere = request.POST.get("everywhere") == "1"
    ended = support_sign_out(request=request, everywhere=everywhere)
    return _render(request, "signed_out.html", {"everywhere": everywhere, "ended": ended})


@require_safe
def me(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(support_user_summary(request))
    response["Cache-Control"] = "no-store, private"
    response["Vary"] = "Cookie"
    return response


@never_cache
@require_safe
def handoff(request: HttpRequest) -> HttpResponse:
    """The landing of a Contact support link from an authenticated component."""
    next_url = safe_next(request, request.GET.get("next"))
    decision = rate_limit_hit(limit=policy.HANDOFF_REDEEMS_PER_IP, key=client_ip(request) or "unknown")
    result = handoff_redeem(raw_token=request.GET.get("token", "")[:200]) if decision.allowed else None
    if result is None or result.token is None:
        audit_record(
            kind=AuditKind.SUPPORT_HANDOFF_REJECTED,
            request=request,
            detail={"why": result.problem if result is not None else "rate limited"},
        )
        if support_user(request) is not None:
            return HttpResponseRedirect(next_url)  # already signed in here: nothing is lost
        offer = reverse("support-auth-start") + "?" + urlencode({"reason": "handoff", "next": next_url})
        return HttpResponseRedirect(offer)
    token = result.token
    support_sign_in(
        request=request,
        account=token.account,
        person=token.person,
        method=SignInSession.Method.HANDOFF,
        authenticated_at=token.authenticated_at,
    )
    return HttpResponseRedirect(next_url)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown instead of Django's technical page when a form arrives without a valid CSRF token."""
    return render(request, "identity/csrf_failure.html", status=403)
