"""Delivery status of co-branded emails from the ESP's tracking webhooks.

django-anymail checks each webhook's signature (``/mail/esp/<esp>/tracking/``) and sends
its ``tracking`` signal; the event names the ESP's message id, kept on the email when it
was sent. Outcomes that end a message's story (bounced, rejected, complained,
unsubscribed) are never replaced by later engagement events (an open after a bounce
report is noise); otherwise the latest event wins.
"""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent
from django.utils import timezone

from connect_support.risk.models import AccountEmail

FINAL = {"bounced", "rejected", "complained", "unsubscribed", "failed"}
KNOWN = FINAL | {"queued", "sent", "deferred", "delivered", "autoresponded", "opened", "clicked"}


def account_email_tracked(*, event: AnymailTrackingEvent) -> int:
    """Record one tracking event on the email it names; returns how many rows changed."""
    message_id = str(event.message_id or "")[:255]
    event_type = str(event.event_type or "")
    if not message_id or event_type not in KNOWN:
        return 0
    detail = " ".join(str(part) for part in (event.reject_reason, event.description, event.mta_response) if part)
    at = event.timestamp or timezone.now()
    rows = AccountEmail.objects.filter(esp_message_id=message_id)
    if event_type not in FINAL:
        rows = rows.exclude(delivery__in=FINAL)
    return rows.update(delivery=event_type, delivery_detail=detail[:500], delivery_at=at)


def on_tracking(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    account_email_tracked(event=event)
