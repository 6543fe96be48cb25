"""The contact form under ``/embedded-connect/cases/new/``: suggested articles while the
visitor types (deflection), then a case opened by email. Thread pages are in
``thread_views``."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connect_support.accounts.eligibility import support_eligibility
from connect_support.cases.attachments import (
    ACCEPT_ATTRIBUTE,
    AttachmentStorageError,
    max_attachment_bytes,
    max_attachment_count,
)
from connect_support.cases.forms import CaseForm, DeflectionForm, viewed_article_paths
from connect_support.cases.models import Case
from connect_support.cases.selectors import article_titles
from connect_support.cases.services import CaseCreated, MessageInput, case_create, deflection_record
from connect_support.helpcenter import selectors as helpcenter
from connect_support.helpcenter.contexts import visitor_context
from connect_support.helpcenter.locales import locale_names, negotiate_locale
from connect_support.helpcenter.models import TOPIC_SLUGS
from connect_support.identity.audit import client_ip
from connect_support.identity.policy import Limit
from connect_support.identity.ratelimit import rate_limit_hit
from connect_support.identity.selectors import SupportUser, support_user

logger = logging.getLogger(__name__)
CASE_FORM_PER_IP = Limit("case-form-ip", 10, 60 * 60)
CASE_FORM_PER_EMAIL = Limit("case-form-email", 5, 60 * 60)
DEFLECTIONS_PER_IP = Limit("case-deflect-ip", 30, 60 * 60)
SENT_KEY = "cs.case_sent"


def locale_of(request: HttpRequest) -> str:
    return negotiate_locale(
        query_locale=request.GET.get("locale"), accept_language=request.headers.get("Accept-Language")
    )


def page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """Render in the support site's layout and language."""
    locale = locale_of(request)
    with translation.override(locale):
        response = render(
            request,
            template,
            {**context, "locale": locale, "LANGUAGE_CODE": locale, "locale_names": locale_names(), "locale_query": ""},
            status=status,
        )
        response["Content-Language"] = locale
    return response


def base_url(request: HttpRequest) -> str:
    return str(settings.PUBLIC_URL or request.build_absolute_uri("/")).rstrip("/")


def upload_too_large(request: HttpRequest) -> bool:
    limit = max_attachment_count() * max_attachment_bytes() + 2 * 1024 * 1024
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return False


def _topics(locale: str) -> list[tuple[str, str]]:
    """The support site's topics: the fixed slugs, titled as the help center titles them."""
    titles = {topic.slug: topic.title for topic in helpcenter.topic_list(locale=locale)}
    return [(slug, titles.get(slug, slug.capitalize())) for slug in TOPIC_SLUGS]


def _source_context(form: CaseForm) -> dict[str, Any]:
    data = form.cleaned_data
    context: dict[str, Any] = {}
    if data.get("source"):
        component, _dot, dialog = data["source"].partition(".")
        context.update({"source": data["source"], "component": component, "dialog": dialog})
    for name in ("requirement", "intervention"):
        if data.get(name):
            context[name] = data[name]
    found = visitor_context(
        source=data.get("source"), requirement=data.get("requirement"), intervention=data.get("intervention")
    )
    if found is not None:
        context["task"] = found.task
    viewed = article_titles(paths=data.get("viewed") or [])
    if viewed:
        context["viewed_articles"] = viewed
    return context


def _initial(request: HttpRequest, user: SupportUser | None, topics: list[tuple[str, str]]) -> dict[str, Any]:
    referer_paths = viewed_article_paths(request.headers.get("Referer", ""))
    initial: dict[str, Any] = {
        "form_token": secrets.token_urlsafe(24),
        "source": request.GET.get("source", "")[:200],
        "requirement": request.GET.get("requirement", "")[:200],
        "intervention": request.GET.get("intervention", "")[:200],
        "viewed": json.dumps(referer_paths),
    }
    topic = request.GET.get("topic", "")
    if topic in {slug for slug, _title in topics}:
        initial["topic"] = topic
    if user is not None:
        person = user.person
        initial["name"] = person.full_name if person is not None else user.account.business_name
        initial["email"] = (person.email if person is not None and person.email else "") or user.account.email
    return initial


def _form_context(request: HttpRequest, form: CaseForm, user: SupportUser | None) -> dict[str, Any]:
    task = visitor_context(
        source=request.GET.get("source") or request.POST.get("source"),
        requirement=request.GET.get("requirement") or request.POST.get("requirement"),
        intervention=request.GET.get("intervention") or request.POST.get("intervention"),
    )
    eligibility = support_eligibility(user.account) if user is not None else None
    return {
        "form": form,
        "support_user": user,
        "platform_supports": eligibility is not None and not eligibility.eligible,
        "visitor_task": task.task if task is not None else "",
        "accept": ACCEPT_ATTRIBUTE,
        "max_files": max_attachment_count(),
        "max_mb": max_attachment_bytes() // 1_048_576,
    }


def _limited(request: HttpRequest, email: str) -> int:
    """Seconds to wait when this IP or this email sent too many requests, else 0."""
    for limit, key in ((CASE_FORM_PER_IP, client_ip(request) or "unknown"), (CASE_FORM_PER_EMAIL, email.lower())):
        decision = rate_limit_hit(limit=limit, key=key)
        if not decision.allowed:
            return decision.retry_after
    return 0


@never_cache
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest) -> HttpResponse:
    user = support_user(request)
    topics = _topics(locale_of(request))
    if request.method == "GET":
        form = CaseForm(initial=_initial(request, user, topics), topics=topics)
        return page(request, "cases/new.html", _form_context(request, form, user))
    if upload_too_large(request):
        form = CaseForm(request.POST, topics=topics)
        form.is_valid()
        form.add_error(
            "attachments",
            f"The files are too large together: at most {max_attachment_count()} files "
            f"of {max_attachment_bytes() // 1_048_576} MB each.",
        )
        return page(request, "cases/new.html", _form_context(request, form, user), status=413)
    form = CaseForm(request.POST, request.FILES, topics=topics)
    if not form.is_valid():
        return page(request, "cases/new.html", _form_context(request, form, user), status=400)
    if form.is_robot:
        request.session[SENT_KEY] = ""
        return HttpResponseRedirect(reverse("cases:sent"))
    data = form.cleaned_data
    wait = _limited(request, data["email"])
    if wait:
        form.add_error(
            None,
            f"We received several messages from you already. Please try again in "
            f"{max(1, wait // 60)} minutes, or reply to the email we sent you.",
        )
        response = page(request, "cases/new.html", _form_context(request, form, user), status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        created = _create(request, form, user)
    except AttachmentStorageError:
        logger.exception("attachment store refused a file; the case was not opened")
        form.add_error(
            "attachments",
            "We couldn't store your files just now, so your message was not sent. "
            "Try again in a few minutes, or send it without the files.",
        )
        return page(request, "cases/new.html", _form_context(request, form, user), status=507)
    if user is not None:
        return HttpResponseRedirect(reverse("cases:detail", args=[created.case.pk]) + "?sent=1")
    request.session[SENT_KEY] = created.case.pk
    return HttpResponseRedirect(reverse("cases:sent"))


def _create(request: HttpRequest, form: CaseForm, user: SupportUser | None) -> CaseCreated:
    data = form.cleaned_data
    return case_create(
        requester_email=data["email"],
        requester_name=data["name"],
        subject=data["subject"],
        message=MessageInput(body_text=data["description"], files=data["attachments"]),
        channel=Case.Channel.WEB,
        topic=data["topic"],
        account=user.account if user is not None else None,
        person=user.person if user is not None else None,
        claimed_account_id="" if user is not None else data["account_id"],
        source_context=_source_context(form),
        form_token=data["form_token"],
        base_url=base_url(request),
    )


@never_cache
@require_GET
def case_sent(request: HttpRequest) -> HttpResponse:
    if SENT_KEY not in request.session:
        return HttpResponseRedirect(reverse("cases:new"))
    case_id = request.session[SENT_KEY]
    case = Case.objects.filter(pk=case_id).first() if case_id else None
    return page(request, "cases/sent.html", {"case": case})


@require_POST
def deflect(request: HttpRequest) -> HttpResponse:
    """ "This solved my problem": count it and end the flow."""
    form = DeflectionForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"error": "unknown article"}, status=400)
        return HttpResponseRedirect(reverse("cases:new"))
    if rate_limit_hit(limit=DEFLECTIONS_PER_IP, key=client_ip(request) or "unknown").allowed:
        user = support_user(request)
        data = form.cleaned_data
        deflection_record(
            topic=data.get("topic") or "",
            subject=data.get("subject") or "",
            article_url=data["article_url"],
            suggested=article_titles(paths=data.get("suggested") or []),
            account=user.account if user is not None else None,
            source_context={"source": data["source"]} if data.get("source") else {},
        )
    if wants_json:
        return JsonResponse({"status": "counted"})
    articles = article_titles(paths=[form.cleaned_data["article_url"]])
    return page(request, "cases/deflected.html", {"article": articles[0] if articles else None})
