"""Inbound mail that did not become a case update: quarantined (with the reason, and a
way to process it again after a look) and ignored automatic mail (bounces, auto-replies,
loops)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from connect_support.cases.inbound.mime import UnreadableMailError, parse_mail
from connect_support.cases.inbound.receive import inbound_mail_release
from connect_support.cases.selectors import inbound_mail_get, inbound_mail_needing_attention
from connect_support.console.access import console_view

PREVIEW_CHARS = 20_000


@never_cache
@console_view("cases.work")
@require_GET
def mail_attention(request: HttpRequest) -> HttpResponse:
    rows = inbound_mail_needing_attention(limit=200)
    return render(request, "console/mail_attention.html", {"rows": rows, "nav": "mail"})


@never_cache
@console_view("cases.work")
@require_GET
def mail_message(request: HttpRequest, inbound_id: str) -> HttpResponse:
    row = inbound_mail_get(inbound_id=inbound_id)
    if row is None:
        raise Http404("No such message.")
    text, problem = "", ""
    if row.raw_pruned:
        problem = "The raw message was removed after the retention period."
    else:
        try:
            parsed = parse_mail(bytes(row.raw))
            text = parsed.text[:PREVIEW_CHARS]
        except UnreadableMailError as error:
            problem = str(error)
    context = {"row": row, "text": text, "problem": problem, "nav": "mail"}
    return render(request, "console/mail_message.html", context)


@console_view("cases.work")
@require_POST
def mail_release(request: HttpRequest, inbound_id: str) -> HttpResponse:
    if inbound_mail_get(inbound_id=inbound_id) is None:
        raise Http404("No such message.")
    inbound_mail_release(inbound_id=inbound_id)
    return HttpResponseRedirect(reverse("console-mail-message", args=[inbound_id]))
