"""Outbound case mail, rendered: operator-branded HTML (CSS inlined, since mail clients
drop ``<style>``) with a plain-text part saying the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import linebreaks

from connect_support.cases.addresses import private_link_token, subject_tag, tagged_subject
from connect_support.cases.models import Case, OutboundEmail
from connect_support.csat.links import rating_url

# Above this line in a reply is the new message; below it our own mail being quoted.
REPLY_MARKER = "##- Please type your reply above this line -##"
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def public_base_url() -> str:
    """Where links in mail point. ``PUBLIC_URL`` in production; the default local address
    of ``connect-support serve`` otherwise."""
    return str(settings.PUBLIC_URL or "http://127.0.0.1:8000").rstrip("/")


def private_url(case: Case, *, base_url: str | None = None) -> str:
    token = private_link_token(case_id=case.pk, link_version=case.link_version)
    return f"{(base_url or public_base_url()).rstrip('/')}/embedded-connect/cases/private/{token}/"


def _hours_phrase(hours: int) -> str:
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def render_case_email(
    *, kind: str, case: Case, base_url: str | None = None, extra: dict[str, Any] | None = None
) -> RenderedEmail:
    """Render one of the case mails (``OutboundEmail.Kind``) for ``case``'s requester."""
    context: dict[str, Any] = {
        "case": case,
        "case_tag": subject_tag(case.number),
        "operator_name": settings.OPERATOR_NAME,
        "private_url": private_url(case, base_url=base_url),
        "reply_marker": REPLY_MARKER,
        "first_response_due": _hours_phrase(int(getattr(settings, "CASES_FIRST_RESPONSE_HOURS", 24))),
        **(extra or {}),
    }
    if kind == OutboundEmail.Kind.ACKNOWLEDGEMENT:
        subject = f"We received your request: {case.subject}"
    elif kind == OutboundEmail.Kind.AGENT_REPLY:
        subject = f"Re: {case.subject}"
        context["body_html"] = linebreaks(context.get("body_text", ""), autoescape=True)
    elif kind == OutboundEmail.Kind.STATUS_CHANGE:
        subject = f"Your case is {context.get('status_label', case.get_status_display()).lower()}: {case.subject}"
    else:
        raise ValueError(f"unknown case email kind {kind!r}")
    # The mail that tells the requester the case is solved asks how we did (csat/).
    solved_by_status = kind == OutboundEmail.Kind.STATUS_CHANGE and context.get("new_status") == Case.Status.SOLVED
    if solved_by_status or (kind == OutboundEmail.Kind.AGENT_REPLY and case.status == Case.Status.SOLVED):
        context["rating_url"] = rating_url(case_id=case.pk, base_url=base_url or public_base_url())
    subject = tagged_subject(case.number, subject)
    context["subject"] = subject
    html = render_to_string(f"cases/email/{kind}.html", context)
    text = render_to_string(f"cases/email/{kind}.txt", context).strip() + "\n"
    return RenderedEmail(subject=subject, text=text, html=_INLINER.inline(html))
