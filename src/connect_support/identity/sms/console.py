"""Prints each message to standard output. For development: the output shows codes."""

from __future__ import annotations

import secrets
import sys

from connect_support.identity.sms import SmsReceipt


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> SmsReceipt:
        provider_id = f"console_{secrets.token_hex(6)}"
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()
        return SmsReceipt(provider_id=provider_id)
