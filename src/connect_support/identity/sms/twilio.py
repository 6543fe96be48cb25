"""Twilio's Programmable Messaging through the official ``twilio`` package.

Configured from the environment: ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN`` and either
``TWILIO_FROM_NUMBER`` or ``TWILIO_MESSAGING_SERVICE_SID``. ``TWILIO_API_BASE`` points the
client elsewhere (a regional edge, or a local server speaking the same REST shape in tests).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from connect_support.identity.sms import SmsError, SmsReceipt

TIMEOUT_SECONDS = 10


class TwilioSmsBackend:
    def __init__(self) -> None:
        self.account_sid = settings.TWILIO_ACCOUNT_SID
        self.auth_token = settings.TWILIO_AUTH_TOKEN
        self.from_number = settings.TWILIO_FROM_NUMBER
        self.messaging_service_sid = settings.TWILIO_MESSAGING_SERVICE_SID
        if not (self.account_sid and self.auth_token and (self.from_number or self.messaging_service_sid)):
            raise ImproperlyConfigured(
                "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER "
                "(or TWILIO_MESSAGING_SERVICE_SID)."
            )

    def _client(self) -> Client:
        client = Client(self.account_sid, self.auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS))
        if settings.TWILIO_API_BASE:
            client.api.base_url = settings.TWILIO_API_BASE.rstrip("/")
        return client

    def send(self, *, to: str, body: str) -> SmsReceipt:
        sender = (
            {"from_": self.from_number} if self.from_number else {"messaging_service_sid": self.messaging_service_sid}
        )
        try:
            message = self._client().messages.create(to=to, body=body, **sender)
        except TwilioRestException as exc:
            # 429 and 5xx are the provider's trouble; 4xx (invalid number, unverified sender) are ours.
            transient = exc.status == 429 or exc.status >= 500
            raise SmsError(f"Twilio answered {exc.status} (code {exc.code})", transient=transient) from exc
        except TwilioException as exc:
            raise SmsError(f"Twilio could not be reached: {type(exc).__name__}", transient=True) from exc
        except OSError as exc:  # connection refused, reset, timeout
            raise SmsError(f"Twilio could not be reached: {type(exc).__name__}", transient=True) from exc
        return SmsReceipt(provider_id=str(message.sid))
