"""ESP inbound webhooks through django-anymail: the ESP's signature (or basic auth) is
checked by anymail's view; we receive its ``inbound`` signal and take the message as raw
MIME. If storing fails the exception makes the webhook answer 500, so the ESP retries."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailInboundEvent, inbound

from connect_support.cases.inbound.receive import inbound_mail_process, inbound_mail_store


def _on_inbound(sender: Any, event: AnymailInboundEvent, esp_name: str, **_kwargs: Any) -> None:
    message = event.message
    if message is None:
        return
    raw = message.as_bytes()
    recipient = getattr(message, "envelope_recipient", None)
    row = inbound_mail_store(
        raw=raw,
        source=f"esp:{esp_name.lower()}"[:40],
        envelope_from="",
        envelope_to=[recipient] if recipient else [],
    )
    inbound_mail_process(inbound_id=row.pk)


def connect() -> None:
    inbound.connect(_on_inbound, dispatch_uid="connect_support.cases.inbound.esp")
