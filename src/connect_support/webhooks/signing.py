"""Stripe-compatible signatures: ``Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256>`` of
``"<t>.<raw body>"`` with the endpoint's ``whsec_…`` secret."""

from __future__ import annotations

import hashlib
import hmac
import time


def signature_header(*, payload: bytes, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    signed = f"{t}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"
