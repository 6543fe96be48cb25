"""Console sign-in: password, then TOTP (or a recovery code); enrollment with a QR code
for agents without an authenticator; security settings; sign-out (here or everywhere)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connect_support.console.access import console_view
from connect_support.console.forms import PasswordForm, SecondFactorForm
from connect_support.identity import policy
from connect_support.identity.agents import (
    agent_password_check,
    agent_second_factor_check,
    recovery_codes_generate,
    recovery_codes_left,
    totp_code_check,
    totp_device,
    totp_enrollment,
    totp_enrollment_confirm,
    totp_new_secret,
)
from connect_support.identity.models import SignInSession
from connect_support.identity.selectors import agent_user
from connect_support.identity.sessions import agent_sign_in, agent_sign_out

PENDING_KEY = "cs.agent_pending"
ENROLLMENT_KEY = "cs.totp_enrollment"
MAX_SECOND_FACTOR_TRIES = 5
CONSOLE_HOME = "/console/"


def _safe_next(request: HttpRequest, raw: str | None) -> str:
    if (
        raw
        and len(raw) <= 500
        and (raw.startswith(CONSOLE_HOME) or raw.startswith("/admin/"))
        and url_has_allowed_host_and_scheme(raw, allowed_hosts=None, require_https=request.is_secure())
    ):
        return raw
    return CONSOLE_HOME


def _pending_user(request: HttpRequest) -> tuple[dict[str, Any], User | None]:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > policy.AGENT_PENDING_TTL_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return {}, None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return {}, None
    user = User.objects.filter(pk=user_id, is_active=True, is_staff=True).first()
    return pending, user


def _to_login(notice: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("console-login") + (f"?notice={notice}" if notice else ""))


NOTICES = {
    "timeout": "Your sign-in took too long. Enter your password again.",
    "tries": "Too many wrong codes. Enter your password again.",
    "signed-out": "You're signed out.",
    "signed-out-everywhere": "You're signed out on every device.",
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if agent_user(request) is not None:
        return HttpResponseRedirect(next_url)
    form = PasswordForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "next": next_url, "notice": NOTICES.get(request.GET.get("notice", ""))}
    if request.method == "GET":
        return render(request, "console/login.html", context)
    if not form.is_valid():
        return render(request, "console/login.html", context, status=400)
    outcome = agent_password_check(
        request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
    )
    if outcome.user is None:
        form.add_error(None, outcome.message)
        return render(request, "console/login.html", context, status=429 if outcome.throttled else 400)
    user = outcome.user
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "at": int(time.time()), "next": next_url, "failures": 0}
    if totp_device(user=user) is None:
        request.session[ENROLLMENT_KEY] = {"user": user.pk, "secret": totp_new_secret(), "at": int(time.time())}
        return HttpResponseRedirect(reverse("console-enroll"))
    return HttpResponseRedirect(reverse("console-verify"))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    pending, user = _pending_user(request)
    if user is None:
        return _to_login("timeout")
    recovery = (request.POST.get("method") or request.GET.get("method")) == "recovery"
    form = SecondFactorForm(request.POST or None)
    context = {"form": form, "recovery": recovery, "user": user}
    if request.method == "GET":
        return render(request, "console/verify.html", context)
    if not form.is_valid():
        return render(request, "console/verify.html", context, status=400)
    outcome = agent_second_factor_check(request=request, user=user, code=form.cleaned_data["code"], recovery=recovery)
    if not outcome.ok:
        failures = int(pending.get("failures", 0)) + 1
        if failures >= MAX_SECOND_FACTOR_TRIES:
            request.session.pop(PENDING_KEY, None)
            return _to_login("tries")
        request.session[PENDING_KEY] = {**pending, "failures": failures}
        form.add_error("code", outcome.message)
        return render(request, "console/verify.html", context, status=400)
    request.session.pop(PENDING_KEY, None)
    method = SignInSession.Method.RECOVERY_CODE if recovery else SignInSession.Method.TOTP
    agent_sign_in(request=request, user=user, method=method)
    return HttpResponseRedirect(_safe_next(request, pending.get("next")))


def _enrolling(request: HttpRequest) -> tuple[User | None, str, bool]:
    """The agent enrolling, the secret being enrolled, and whether this is a first sign-in."""
    enrollment = request.session.get(ENROLLMENT_KEY)
    if not isinstance(enrollment, dict) or time.time() - enrollment.get("at", 0) > 15 * 60:
        return None, "", False
    agent = agent_user(request)
    if agent is not None and agent.user.pk == enrollment.get("user"):
        return agent.user, str(enrollment["secret"]), False
    _pending, user = _pending_user(request)
    if user is not None and user.pk == enrollment.get("user") and totp_device(user=user) is None:
        return user, str(enrollment["secret"]), True
    return None, "", False


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enroll(request: HttpRequest) -> HttpResponse:
    user, secret, first = _enrolling(request)
    if user is None:
        if agent_user(request) is not None:
            return HttpResponseRedirect(reverse("console-security"))
        return _to_login("timeout")
    form = SecondFactorForm(request.POST or None)
    context = {"form": form, "enrollment": totp_enrollment(user=user, secret=secret), "first": first}
    if request.method == "GET":
        return render(request, "console/enroll.html", context)
    codes = totp_enrollment_confirm(request=request, user=user, secret=secret, code=form.data.get("code", "")[:64])
    if codes is None:
        form.is_valid()
        form.add_error("code", "That code doesn't match. Check the time on your phone and enter the current code.")
        return render(request, "console/enroll.html", context, status=400)
    request.session.pop(ENROLLMENT_KEY, None)
    next_url = CONSOLE_HOME
    if first:
        pending, _user = _pending_user(request)
        next_url = _safe_next(request, pending.get("next"))
        request.session.pop(PENDING_KEY, None)
        agent_sign_in(request=request, user=user, method=SignInSession.Method.TOTP)
    # The codes are in this response only: never stored in clear, never in the session.
    return render(request, "console/recovery_codes.html", {"codes": codes, "next": next_url, "enrolled": True})


@never_cache
@console_view()
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    return render(request, "console/security.html", _security_context(agent.user))


def _security_context(user: User, **extra: Any) -> dict[str, Any]:
    return {
        "device": totp_device(user=user),
        "codes_left": recovery_codes_left(user=user),
        "code_form": SecondFactorForm(),
        "nav": "security",
        **extra,
    }


@never_cache
@console_view()
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    if not totp_code_check(user=agent.user, code=request.POST.get("code", "")[:64]):
        context = _security_context(agent.user, codes_error="Enter the current code from your authenticator app.")
        return render(request, "console/security.html", context, status=400)
    codes = recovery_codes_generate(user=agent.user, actor=agent.user, request=request)
    return render(request, "console/recovery_codes.html", {"codes": codes, "next": reverse("console-security")})


@never_cache
@console_view()
@require_POST
def replace_authenticator(request: HttpRequest) -> HttpResponse:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    if not totp_code_check(user=agent.user, code=request.POST.get("code", "")[:64]):
        context = _security_context(agent.user, replace_error="Enter the current code from your authenticator app.")
        return render(request, "console/security.html", context, status=400)
    request.session[ENROLLMENT_KEY] = {"user": agent.user.pk, "secret": totp_new_secret(), "at": int(time.time())}
    return HttpResponseRedirect(reverse("console-enroll"))


@never_cache
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    everywhere = request.POST.get("everywhere") == "1"
    agent_sign_out(request=request, everywhere=everywhere)
    return _to_login("signed-out-everywhere" if everywhere else "signed-out")
