"""The public rating page (from the link in the solved-case mail) and the chat widget's
rating endpoint. Both are thin: parse, call one service, render."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from connect_support.accounts.eligibility import support_eligibility
from connect_support.cases.models import Case
from connect_support.cases.views import page
from connect_support.chat.selectors import conversation_for_customer
from connect_support.csat.links import link_max_age_seconds, rating_token_check
from connect_support.csat.models import MAX_COMMENT_CHARS, Rating
from connect_support.csat.selectors import csat_for_case
from connect_support.csat.services import (
    ConversationNotEndedError,
    RatingInvalidError,
    RatingLockedError,
    rating_submit_for_case,
    rating_submit_for_conversation,
)
from connect_support.identity.selectors import support_user

ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)
MAX_JSON_BYTES = 16 * 1024
CHOICES = (
    (5, "Very satisfied"),
    (4, "Satisfied"),
    (3, "Neither satisfied nor dissatisfied"),
    (2, "Dissatisfied"),
    (1, "Very dissatisfied"),
)


def _private(response: ResponseT) -> ResponseT:
    """Reached by a secret link: never cached or indexed, and the link never leaks to other
    sites. (Not ``no-referrer``: with it browsers send ``Origin: null`` on the form's POST,
    which CSRF protection rightly refuses.)"""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _form(request: HttpRequest, *, case: Case, rating: Rating | None, status: int = 200, **extra: Any) -> HttpResponse:
    selected = extra.pop("selected", None)
    if selected is None and rating is not None:
        selected = rating.score
    if selected is None:
        preset = request.GET.get("score", "")
        selected = int(preset) if preset in {"1", "2", "3", "4", "5"} else None
    context = {
        "case": case,
        "rating": rating,
        "choices": CHOICES,
        "selected": selected,
        "comment": extra.pop("comment", rating.comment if rating else ""),
        "max_comment": MAX_COMMENT_CHARS,
        "saved": request.GET.get("saved") == "1" and rating is not None,
        **extra,
    }
    return _private(page(request, "csat/rate.html", context, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def rate_case(request: HttpRequest, token: str) -> HttpResponse:
    check = rating_token_check(token)
    case = Case.objects.filter(pk=check.case_id).first() if check.case_id else None
    if case is None:
        problem = check.problem or "invalid"
        return _private(
            page(
                request,
                "csat/link_invalid.html",
                {"problem": problem, "days": link_max_age_seconds() // 86400},
                status=410 if problem == "expired" else 404,
            )
        )
    rating = csat_for_case(case)
    if request.method == "GET":
        return _form(request, case=case, rating=rating)
    score, comment = request.POST.get("score"), request.POST.get("comment", "")
    try:
        rating_submit_for_case(case=case, score=score, comment=comment)
    except RatingInvalidError as invalid:
        errors = {invalid.field: invalid.message}
        return _form(
            request,
            case=case,
            rating=rating,
            status=400,
            errors=errors,
            selected=_digit(score),
            comment=comment[:MAX_COMMENT_CHARS],
        )
    except RatingLockedError:
        return _form(request, case=case, rating=rating, status=409, locked=True)
    return _private(HttpResponseRedirect(request.path + "?saved=1"))


def _digit(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value in {"1", "2", "3", "4", "5"} else None


def _json_error(code: str, message: str, status: int, param: str = "") -> JsonResponse:
    body = {"error": {"code": code, "message": message, **({"param": param} if param else {})}}
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def rate_chat(request: HttpRequest, conversation_id: str) -> JsonResponse:
    """``POST`` JSON ``{"score": 1..5, "comment": "…"}`` from the chat widget once the chat
    ended → ``{"score", "comment", "created"}``. Only the customer who chatted may rate."""
    user = support_user(request)
    if user is None:
        return _json_error("not_signed_in", "Sign in to rate the chat.", 401)
    if not support_eligibility(user.account).eligible:
        return _json_error("not_found", "There is no such chat.", 404)
    conversation = conversation_for_customer(account_id=user.account.pk, conversation_id=conversation_id)
    requester_key = f"{user.account.pk}:{user.person.pk if user.person is not None else '-'}"
    if conversation is None or conversation.requester_key != requester_key:
        return _json_error("not_found", "There is no such chat.", 404)
    if len(request.body) > MAX_JSON_BYTES:
        return _json_error("too_large", "The rating is too long.", 413)
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return _json_error("bad_json", "Send the rating as a JSON object.", 400)
    if not isinstance(body, dict):
        return _json_error("bad_json", "Send the rating as a JSON object.", 400)
    try:
        result = rating_submit_for_conversation(
            conversation=conversation, score=body.get("score"), comment=body.get("comment", "")
        )
    except RatingInvalidError as invalid:
        return _json_error("invalid", invalid.message, 400, invalid.field)
    except ConversationNotEndedError as not_ended:
        return _json_error("not_ended", str(not_ended), 409)
    except RatingLockedError as locked:
        return _json_error("locked", str(locked), 409)
    response = JsonResponse(
        {"score": result.rating.score, "comment": result.rating.comment, "created": result.created},
        status=201 if result.created else 200,
    )
    response["Cache-Control"] = "no-store, private"
    return response
