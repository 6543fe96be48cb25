"""Text messages behind a small interface, chosen by ``SMS_BACKEND`` like Django's email backends.

``console`` prints to standard output (development only: it shows codes), ``outbox`` keeps
each message for the console's dev outbox and appends it to ``$OUTBOX_DIR/sms.jsonl``,
``twilio`` sends through Twilio's REST API. A dotted path names any other class with the
same ``send`` method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """A send failed. ``transient`` failures (timeouts, 5xx, rate limits) are worth retrying;
    the others (an invalid number, a refused sender) are not."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class SmsReceipt:
    provider_id: str


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> SmsReceipt: ...


BACKENDS = {
    "console": "connect_support.identity.sms.console.ConsoleSmsBackend",
    "outbox": "connect_support.identity.sms.outbox.OutboxSmsBackend",
    "twilio": "connect_support.identity.sms.twilio.TwilioSmsBackend",
}


def sms_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    backend_class = import_string(BACKENDS.get(name, name))
    backend: SmsBackend = backend_class()
    return backend


def sms_send(*, to: str, body: str) -> SmsReceipt:
    from connect_support.metrics import SMS

    try:
        receipt = sms_backend().send(to=to, body=body)
    except SmsError:
        SMS.labels("failed").inc()
        raise
    SMS.labels("sent").inc()
    return receipt
