"""Threads on the support site: a signed-in user's cases, one case's messages with a reply
form, solving and reopening, attachments; and the private link from the acknowledgement,
which shows one case to whoever holds the link, without signing in."""

from __future__ import annotations

import secrets
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from connect_support.cases.forms import ReplyForm
from connect_support.cases.history import CaseActor
from connect_support.cases.models import Case, CaseMessage
from connect_support.cases.selectors import (
    attachment_get,
    case_get_by_private_token,
    case_get_for_actor,
    case_list_for_actor,
    case_thread,
)
from connect_support.cases.services import (
    CaseClosedError,
    MessageInput,
    case_add_requester_message,
    case_link_account,
    case_link_claimed_account_by_email,
    case_set_status,
)
from connect_support.cases.views import base_url, page, upload_too_large
from connect_support.identity.policy import Limit
from connect_support.identity.ratelimit import rate_limit_hit
from connect_support.identity.selectors import SupportUser, support_user

ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)
REPLIES_PER_CASE = Limit("case-web-reply", 30, 60 * 60)
SIGN_IN = "/embedded-connect/auth/"


def _sign_in_redirect(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(SIGN_IN + "?" + urlencode({"next": request.get_full_path()}))


def _not_found(request: HttpRequest) -> HttpResponse:
    return page(request, "cases/not_found.html", {}, status=404)


def _private(response: ResponseT) -> ResponseT:
    """Pages reached by a secret link: not cached, not indexed, the link never leaks to
    another site (``same-origin``: with ``no-referrer`` browsers send ``Origin: null`` on the
    reply form's POST and the CSRF check refuses it)."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = support_user(request)
    if user is None:
        return _sign_in_redirect(request)
    cases = case_list_for_actor(actor=user.actor)
    return page(request, "cases/list.html", {"cases": cases, "support_user": user})


@never_cache
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    user = support_user(request)
    if user is None:
        return _sign_in_redirect(request)
    case = case_get_for_actor(actor=user.actor, case_id=case_id)
    if case is None:
        return _not_found(request)
    here = reverse("cases:detail", args=[case.pk])
    return _thread(request, case, here=here, files_base=here + "files/", user=user, private=False)


@require_http_methods(["GET", "POST"])
def case_private(request: HttpRequest, token: str) -> HttpResponse:
    case = case_get_by_private_token(token=token)
    if case is None:
        return _private(page(request, "cases/link_invalid.html", {}, status=404))
    user = support_user(request)
    if request.method == "GET":
        if user is not None and case.account_id is None and case.claimed_account_id == user.account.pk:
            case = case_link_account(
                case=case,
                account=user.account,
                actor=CaseActor(
                    kind=CaseMessage.Author.REQUESTER,
                    label=f"{case.requester_email} (signed in with a text message code)",
                ),
            )
            messages.success(request, "Your case is now linked to your account.")
        elif case_link_claimed_account_by_email(case=case):
            case.refresh_from_db()
    here = reverse("cases:private", args=[token])
    return _private(_thread(request, case, here=here, files_base=here + "files/", user=user, private=True))


def _thread(
    request: HttpRequest, case: Case, *, here: str, files_base: str, user: SupportUser | None, private: bool
) -> HttpResponse:
    form = ReplyForm(initial={"reply_token": secrets.token_urlsafe(24)})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "reply")
        try:
            if action in {"solve", "reopen"}:
                new_status = Case.Status.SOLVED if action == "solve" else Case.Status.OPEN
                case_set_status(
                    case=case, status=new_status, actor=CaseActor.requester(case), base_url=base_url(request)
                )
                messages.success(request, "Marked as solved." if action == "solve" else "Your case is open again.")
                return HttpResponseRedirect(here)
            if upload_too_large(request):
                form = ReplyForm(request.POST)
                form.is_valid()
                form.add_error("attachments", "The files are too large together.")
                status = 413
            else:
                form = ReplyForm(request.POST, request.FILES)
                if form.is_valid():
                    _reply(request, case, form)
                    return HttpResponseRedirect(here + "#latest")
                status = 400
        except CaseClosedError:
            messages.error(request, "This case is closed. Open a new case to write to us again.")
            return HttpResponseRedirect(here)
    context: dict[str, Any] = {
        "case": case,
        "thread": case_thread(case=case),
        "form": form,
        "here": here,
        "files_base": files_base,
        "private": private,
        "support_user": user,
        "just_sent": request.GET.get("sent") == "1",
        "claim_unverified": private and case.account_id is None and bool(case.claimed_account_id),
        "sign_in_url": SIGN_IN + "?" + urlencode({"next": here}),
    }
    return page(request, "cases/thread.html", context, status=status)


def _reply(request: HttpRequest, case: Case, form: ReplyForm) -> None:
    data = form.cleaned_data
    # A double-clicked Send posts the same token twice: the second is dropped.
    if not cache.add(f"cases:reply:{case.pk}:{data['reply_token']}", 1, timeout=24 * 60 * 60):
        return
    if not rate_limit_hit(limit=REPLIES_PER_CASE, key=case.pk).allowed:
        messages.error(request, "You have sent many replies in the last hour. Please wait a little.")
        return
    case_add_requester_message(
        case=case,
        author_email=case.requester_email,
        author_name=case.requester_name,
        via=CaseMessage.Via.WEB,
        message=MessageInput(body_text=data.get("body") or "", files=data.get("attachments") or []),
    )
    messages.success(request, "Your reply was added to the case.")


def _download(case: Case, attachment_id: str) -> HttpResponseBase | None:
    attachment = attachment_get(case=case, attachment_id=attachment_id)
    if attachment is None:
        return None
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_GET
def case_file(request: HttpRequest, case_id: str, attachment_id: str) -> HttpResponseBase:
    user = support_user(request)
    if user is None:
        return _sign_in_redirect(request)
    case = case_get_for_actor(actor=user.actor, case_id=case_id)
    response = _download(case, attachment_id) if case is not None else None
    return response or _not_found(request)


@require_GET
def private_file(request: HttpRequest, token: str, attachment_id: str) -> HttpResponseBase:
    case = case_get_by_private_token(token=token)
    response = _download(case, attachment_id) if case is not None else None
    return _private(response or _not_found(request))
