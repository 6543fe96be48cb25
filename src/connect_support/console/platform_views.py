"""Platforms in the console: their Connect settings (site links, allowed origins, branding),
their webhook endpoints with the delivery log and manual redelivery, and previews of the
co-branded emails their accounts receive, with test sends."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount, Platform
from connect_support.accounts.platform_settings import live_sessions_blocker, platform_settings_update
from connect_support.console.access import console_view
from connect_support.console.platform_forms import PlatformSettingsForm, TestSendForm
from connect_support.identity.audit import audit_record
from connect_support.identity.selectors import agent_user
from connect_support.risk.emails import PREVIEW_EVENTS, email_preview, email_test_send
from connect_support.risk.models import Intervention
from connect_support.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from connect_support.webhooks.services import event_payload, webhook_delivery_send

DELIVERIES_PER_PAGE = 25
FORM_FIELD_OF_PARAM = {
    "branding[business_name]": "business_name",
    "branding[primary_color]": "primary_color",
    "branding[secondary_color]": "secondary_color",
    "site_links[notification_banner]": "notification_banner",
    "site_links[account_management]": "account_management",
    "support[url]": "support_url",
    "support[email]": "support_email",
    "allowed_origins": "allowed_origins",
}


def _platform(platform_id: str) -> Platform:
    platform = Platform.objects.filter(pk=platform_id[:40]).first()
    if platform is None:
        raise Http404("No such platform.")
    return platform


def _actor(request: HttpRequest) -> Any:
    agent = agent_user(request)
    return agent.user if agent is not None else None


@never_cache
@console_view("agents.manage")
@require_GET
def platforms(request: HttpRequest) -> HttpResponse:
    def count(query: Any) -> Subquery:
        return Subquery(query.order_by().values("platform_id").annotate(n=Count("pk")).values("n")[:1])

    accounts = ConnectedAccount.objects.filter(platform_id=OuterRef("pk"), deleted_at=None)
    endpoints = WebhookEndpoint.objects.filter(platform_id=OuterRef("pk"), deleted_at=None)
    failed = WebhookDelivery.objects.filter(
        endpoint__platform_id=OuterRef("pk"), status=WebhookDelivery.Status.FAILED
    ).annotate(platform_id=F("endpoint__platform_id"))
    rows = Platform.objects.annotate(
        account_count=Coalesce(count(accounts), 0),
        endpoint_count=Coalesce(count(endpoints), 0),
        failed_count=Coalesce(count(failed), 0),
    ).order_by("name")
    return render(request, "console/platforms.html", {"rows": rows, "nav": "platforms"})


@never_cache
@console_view("agents.manage")
@require_http_methods(["GET", "POST"])
def platform(request: HttpRequest, platform_id: str) -> HttpResponse:
    row = _platform(platform_id)
    form = PlatformSettingsForm(request.POST or None, platform=row)
    if request.method == "POST" and form.is_valid():
        before = {key: str(value) for key, value in form.current.items()}
        try:
            platform_settings_update(platform=row, params=form.as_params())
        except InvalidParameterError as error:
            form.add_error(
                FORM_FIELD_OF_PARAM.get(
                    error.param.split("[", 1)[0] if error.param.startswith("allowed_origins") else error.param
                ),
                error.message,
            )
        else:
            row.refresh_from_db()
            after = {key: str(value) for key, value in PlatformSettingsForm(platform=row).current.items()}
            changed = sorted(key for key in after if after[key] != before.get(key))
            audit_record(
                kind="platform.settings_changed",
                request=request,
                actor=_actor(request),
                subject_label=row.name,
                detail={"platform": row.pk, "fields": changed},
            )
            messages.success(request, "Settings saved." if changed else "Nothing changed.")
            return HttpResponseRedirect(reverse("console-platform", args=[row.pk]))
    endpoints = WebhookEndpoint.objects.filter(platform=row).order_by("deleted_at", "-created")
    status = request.GET.get("status", "")
    deliveries = (
        WebhookDelivery.objects.filter(endpoint__platform=row)
        .select_related("endpoint", "event")
        .order_by("-created_at", "-id")
    )
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "platform": row,
        "form": form,
        "blocker": live_sessions_blocker(platform=row),
        "endpoints": endpoints,
        "page": page,
        "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "nav": "platforms",
    }
    return render(request, "console/platform.html", context, status=400 if form.errors else 200)


def _delivery(platform: Platform, delivery_id: str) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "event")
        .filter(pk=delivery_id[:40], endpoint__platform=platform)
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery for this platform.")
    return delivery


@never_cache
@console_view("agents.manage")
@require_GET
def delivery(request: HttpRequest, platform_id: str, delivery_id: str) -> HttpResponse:
    row = _platform(platform_id)
    found = _delivery(row, delivery_id)
    context = {
        "platform": row,
        "delivery": found,
        "attempts": WebhookAttempt.objects.filter(delivery=found).order_by("-at")[:100],
        "payload": json.dumps(event_payload(found.event, found.endpoint), indent=2, ensure_ascii=False),
        "nav": "platforms",
    }
    return render(request, "console/platform_delivery.html", context)


@never_cache
@console_view("agents.manage")
@require_POST
def redeliver(request: HttpRequest, platform_id: str, delivery_id: str) -> HttpResponse:
    row = _platform(platform_id)
    found = _delivery(row, delivery_id)
    if found.endpoint.deleted_at is not None:
        messages.error(request, "This endpoint was deleted; its deliveries can no longer be sent.")
    else:
        status = webhook_delivery_send(delivery_id=found.pk, force=True)
        last = WebhookAttempt.objects.filter(delivery=found).order_by("-at").first()
        audit_record(
            kind="webhook.redelivered",
            request=request,
            actor=_actor(request),
            subject_label=row.name,
            detail={"platform": row.pk, "delivery": found.pk, "event": found.event_id, "status": status},
        )
        if status == WebhookDelivery.Status.SUCCEEDED:
            messages.success(request, f"Delivered: the endpoint answered HTTP {last.status_code if last else '2xx'}.")
        else:
            reason = last.error if last else "no answer"
            messages.error(request, f"Not delivered ({reason}). Automatic retries continue on their schedule.")
    target = request.POST.get("next", "")
    if target != "detail":
        return HttpResponseRedirect(reverse("console-platform", args=[row.pk]) + "#deliveries")
    return HttpResponseRedirect(reverse("console-platform-delivery", args=[row.pk, found.pk]))


def _preview_choice(request: HttpRequest) -> tuple[str, str]:
    kind = request.GET.get("kind") or request.POST.get("kind") or Intervention.Kind.PAUSE_PAYOUTS
    event = request.GET.get("event") or request.POST.get("event") or "created"
    if kind not in Intervention.Kind.values:
        kind = Intervention.Kind.PAUSE_PAYOUTS
    if event not in dict(PREVIEW_EVENTS):
        event = "created"
    return kind, event


@never_cache
@console_view("agents.manage")
@require_http_methods(["GET", "POST"])
def emails(request: HttpRequest, platform_id: str) -> HttpResponse:
    row = _platform(platform_id)
    kind, event = _preview_choice(request)
    rendered = email_preview(platform=row, kind=kind, event=event)
    form = TestSendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            email_test_send(rendered=rendered, to=to)
        except OSError as error:
            form.add_error(None, f"The mail server refused the test send: {error}")
        else:
            audit_record(
                kind="email.test_sent",
                request=request,
                actor=_actor(request),
                subject_label=row.name,
                detail={"platform": row.pk, "kind": kind, "event": event, "to": to},
            )
            messages.success(request, f"Test email sent to {to}.")
            query = f"?kind={kind}&event={event}"
            return HttpResponseRedirect(reverse("console-platform-emails", args=[row.pk]) + query)
    context = {
        "platform": row,
        "kind": kind,
        "event": event,
        "kinds": Intervention.Kind.choices,
        "events": PREVIEW_EVENTS,
        "rendered": rendered,
        "form": form,
        "nav": "platforms",
    }
    return render(request, "console/platform_emails.html", context, status=400 if form.errors else 200)


@never_cache
@xframe_options_sameorigin
@console_view("agents.manage")
@require_GET
def email_html(request: HttpRequest, platform_id: str) -> HttpResponse:
    """The HTML part alone, framed (sandboxed, no scripts) by the preview page."""
    row = _platform(platform_id)
    kind, event = _preview_choice(request)
    response = HttpResponse(email_preview(platform=row, kind=kind, event=event).html_body)
    response._csp_replace = {  # type: ignore[attr-defined]
        "frame-ancestors": ["'self'"],
        "style-src": ["'unsafe-inline'"],
        "script-src": ["'none'"],
        "img-src": ["https:", "data:", "'self'"],
    }
    return response
