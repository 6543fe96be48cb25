"""The console's home (who is signed in, with which roles) and the dev outbox."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from connect_support.console.access import console_view
from connect_support.console.outbox import outbox_email_read, outbox_emails_recent, outbox_enabled, outbox_sms_recent
from connect_support.identity.access import PERMISSIONS, agent_can
from connect_support.identity.agents import recovery_codes_left, totp_device
from connect_support.identity.audit import audit_label
from connect_support.identity.models import AuditEvent
from connect_support.identity.selectors import agent_user


@never_cache
@console_view()
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    actor = agent.actor
    events = AuditEvent.objects.filter(subject=agent.user, kind__startswith="agent.").order_by("-at")[:8]
    recent = [(event, audit_label(event)) for event in events]
    context = {
        "agent": agent,
        "roles": sorted(actor.roles),
        "permissions": sorted(p for p in PERMISSIONS if agent_can(actor=actor, permission=p)),
        "device": totp_device(user=agent.user),
        "codes_left": recovery_codes_left(user=agent.user),
        "recent": recent,
        "is_admin": agent_can(actor=actor, permission="agents.manage"),
        "nav": "home",
    }
    return render(request, "console/home.html", context)


@never_cache
@console_view("outbox.view")
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    sms_on, email_on = outbox_enabled()
    context = {
        "sms_on": sms_on,
        "email_on": email_on,
        "texts": outbox_sms_recent(limit=50),
        "emails": outbox_emails_recent(limit=50),
        "nav": "outbox",
    }
    return render(request, "console/outbox.html", context)


@never_cache
@console_view("outbox.view")
@require_safe
def outbox_email(request: HttpRequest, name: str) -> HttpResponse:
    email = outbox_email_read(name=name)
    if email is None:
        raise Http404("No such email in the outbox.")
    return render(request, "console/outbox_email.html", {"email": email, "nav": "outbox"})
