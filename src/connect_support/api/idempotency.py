"""``Idempotency-Key``: a retried POST gets the first response instead of a second write.

Same key and same parameters → the stored response, with ``Idempotent-Replayed: true``.
Same key, other parameters → 400 ``idempotency_error``. A request still in flight with the
same key → 409. Server errors are not stored, so the retry runs again.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from connect_support.accounts.models import ApiKey
from connect_support.api.errors import ApiError
from connect_support.api.models import IdempotentRequest

MAX_KEY_LENGTH = 255


def _fernet(raw_key: str, api_key: ApiKey) -> Fernet:
    material = hashlib.sha256(f"{settings.SECRET_KEY}|{api_key.pk}|{raw_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(material))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _request_digest(request: HttpRequest, params: dict[str, Any]) -> str:
    canonical = json.dumps({"method": request.method, "path": request.path, "params": params}, sort_keys=True)
    return _digest(canonical)


def idempotent(
    request: HttpRequest, api_key: ApiKey, params: dict[str, Any], handler: Callable[[], JsonResponse]
) -> HttpResponse:
    raw_key = request.headers.get("Idempotency-Key", "")
    if not raw_key:
        return handler()
    if len(raw_key) > MAX_KEY_LENGTH:
        raise ApiError(
            400,
            "invalid_request_error",
            f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters.",
            code="idempotency_key_invalid",
        )
    key_digest = _digest(raw_key)
    request_digest = _request_digest(request, params)
    cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    IdempotentRequest.objects.filter(api_key=api_key, key_digest=key_digest, created__lt=cutoff).delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                api_key=api_key, key_digest=key_digest, request_digest=request_digest
            )
    except IntegrityError:
        return _replay(raw_key, api_key, key_digest, request_digest)

    try:
        response = handler()
    except ApiError as error:
        response = error.response()
    except BaseException:
        IdempotentRequest.objects.filter(pk=record.pk).delete()
        raise
    if response.status_code >= 500:
        IdempotentRequest.objects.filter(pk=record.pk).delete()
        return response
    IdempotentRequest.objects.filter(pk=record.pk).update(
        status_code=response.status_code, response=_fernet(raw_key, api_key).encrypt(response.content)
    )
    return response


def _replay(raw_key: str, api_key: ApiKey, key_digest: str, request_digest: str) -> HttpResponse:
    record = IdempotentRequest.objects.filter(api_key=api_key, key_digest=key_digest).first()
    if record is None or record.status_code is None:
        raise ApiError(
            409,
            "idempotency_error",
            "A request with this Idempotency-Key is still being processed; retry in a moment.",
            code="idempotency_key_in_use",
        )
    if record.request_digest != request_digest:
        raise ApiError(
            400,
            "idempotency_error",
            "Keys for idempotent requests can only be used with the same parameters they were first used with. "
            "Try using a key other than this one if you meant to execute a different request.",
            code="idempotency_key_in_use",
        )
    try:
        content = _fernet(raw_key, api_key).decrypt(bytes(record.response or b""))
    except InvalidToken as exc:  # SECRET_KEY rotated since the first request
        raise ApiError(
            400, "idempotency_error", "This Idempotency-Key can no longer be replayed; use a new key."
        ) from exc
    response = HttpResponse(content, status=record.status_code, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response
