"""Writes of webhooks: endpoints, events, and their deliveries.

An event is stored with one delivery row per endpoint that listens to it, in the
transaction that made the change; a job sends it after commit; a periodic job sends
whatever is due. A delivery succeeds on a 2xx answer; timeouts, other statuses and
redirects (never followed: the signed body must reach the URL the platform registered)
are retried after ``base · 2^(n-1)`` seconds (at most ``cap``) until three days have passed.
Every try is logged with its status code or error.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
import socket
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import Platform
from connect_support.webhooks.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from connect_support.webhooks.signing import signature_header

logger = logging.getLogger(__name__)
EVENT_TYPES = ("account.updated",)
MAX_ENDPOINTS = 16
LEASE_SECONDS = 60
GIVE_UP_SECONDS = 3 * 24 * 3600
API_VERSION = "2025-01-27.acacia"


def _retry_base() -> int:
    return int(getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 60))


def _retry_cap() -> int:
    return int(getattr(settings, "WEBHOOK_RETRY_CAP_SECONDS", 6 * 3600))


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def backoff_seconds(attempts: int) -> int:
    delay = int(min(_retry_base() * 2 ** max(attempts - 1, 0), _retry_cap()))
    jitter = delay // 10
    return max(1, delay - jitter + secrets.randbelow(2 * jitter + 1)) if jitter else max(1, delay)


def _private_allowed(livemode: bool) -> bool:
    """Test-mode endpoints may point at a developer's machine; live ones only at the public
    internet unless the operator allows private networks (a self-hosted intranet)."""
    return not livemode or bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False))


def _is_private_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global


def _is_private_name(host: str) -> bool:
    host = host.lower().rstrip(".")
    local_suffixes = (".localhost", ".local", ".internal", ".lan", ".home.arpa")
    return host == "localhost" or host.endswith(local_suffixes) or _is_private_address(host)


def private_destination(host: str) -> str | None:
    """The private address ``host`` resolves to, if any (checked again at each delivery, so
    that a name changed to point inside the network after registration is still refused)."""
    if _is_private_name(host):
        return host
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # unresolvable: the delivery itself fails and is retried
    for info in infos:
        address = str(info[4][0])
        if _is_private_address(address):
            return address
    return None


def _clean_url(url: Any, *, livemode: bool) -> str:
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("https", "http") or not parts.hostname or len(text) > 2000:
        raise InvalidParameterError("url", "Invalid URL: the url must be an absolute http or https URL.", "url_invalid")
    if not _private_allowed(livemode) and _is_private_name(parts.hostname):
        raise InvalidParameterError(
            "url",
            f"Invalid URL: live-mode webhook endpoints must be reachable on the public internet, and "
            f"{parts.hostname} is a local or private address. Use a test-mode endpoint while developing.",
            "url_invalid",
        )
    return text


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, Sequence) or isinstance(events, str) or not events:
        raise InvalidParameterError("enabled_events", "Give at least one event type, or '*' for all.")
    cleaned = []
    for name in events:
        if name != "*" and name not in EVENT_TYPES:
            raise InvalidParameterError(
                "enabled_events", f"Invalid event type {str(name)[:80]!r}; supported: *, {', '.join(EVENT_TYPES)}."
            )
        cleaned.append(str(name))
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def webhook_endpoint_create(
    *,
    platform: Platform,
    livemode: bool,
    url: str,
    enabled_events: Sequence[str],
    description: str = "",
    metadata: Mapping[str, str] | None = None,
    api_version: str = "",
) -> WebhookEndpoint:
    count = WebhookEndpoint.objects.filter(platform=platform, livemode=livemode, deleted_at=None).count()
    if count >= MAX_ENDPOINTS:
        raise InvalidParameterError("url", f"A platform may have at most {MAX_ENDPOINTS} webhook endpoints.")
    return WebhookEndpoint.objects.create(
        platform=platform,
        livemode=livemode,
        url=_clean_url(url, livemode=livemode),
        enabled_events=_clean_events(enabled_events),
        description=description[:500],
        metadata=dict(metadata or {}),
        api_version=api_version[:40] or API_VERSION,
    )


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, params: Mapping[str, Any]) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if "url" in params:
        endpoint.url = _clean_url(params["url"], livemode=endpoint.livemode)
    if "enabled_events" in params:
        endpoint.enabled_events = _clean_events(params["enabled_events"])
    if "description" in params:
        endpoint.description = str(params["description"])[:500]
    if "metadata" in params:
        endpoint.metadata = {**endpoint.metadata, **params["metadata"]}
        endpoint.metadata = {k: v for k, v in endpoint.metadata.items() if v != ""}
    if "disabled" in params:
        endpoint.status = WebhookEndpoint.Status.DISABLED if params["disabled"] else WebhookEndpoint.Status.ENABLED
    endpoint.save()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Stop deliveries; the endpoint row and its delivery log stay for the record."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        deleted_at=timezone.now(), status=WebhookEndpoint.Status.DISABLED
    )


def event_create(
    *, platform: Platform, livemode: bool, type: str, data_object: Mapping[str, Any], account_id: str = ""
) -> Event:
    """Store the event and queue a delivery to every endpoint that listens to it."""
    event = Event.objects.create(
        platform=platform, livemode=livemode, type=type, account_id=account_id, data={"object": dict(data_object)}
    )
    now = timezone.now()
    endpoints = WebhookEndpoint.objects.filter(
        platform=platform, livemode=livemode, status=WebhookEndpoint.Status.ENABLED, deleted_at=None
    )
    for endpoint in endpoints:
        if "*" in endpoint.enabled_events or type in endpoint.enabled_events:
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint, event=event, next_attempt_at=now, created_at=now
            )
            transaction.on_commit(partial(_schedule, delivery.pk))
    return event


def event_payload(event: Event, endpoint: WebhookEndpoint) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": event.pk,
        "object": "event",
        "api_version": endpoint.api_version or API_VERSION,
        "created": event.created,
        "data": event.data,
        "livemode": event.livemode,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event.type,
    }
    if event.account_id:
        payload["account"] = event.account_id  # a Connect event: names the connected account
    return payload


def _schedule(delivery_id: str) -> None:
    from connect_support.webhooks.tasks import webhook_delivery_send_task  # the job module imports this one

    try:
        webhook_delivery_send_task(delivery_id)
    except Exception:  # a lost queue only delays delivery: the periodic drain sends it
        logger.warning("Could not queue webhook delivery %s; the drain will send it.", delivery_id)


def _due(now: datetime) -> Q:
    return Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=WebhookDelivery.Status.SENDING, lease_until__lt=now
    )


def _claim(delivery_id: str, now: datetime, *, force: bool) -> WebhookDelivery | None:
    with transaction.atomic():
        query = WebhookDelivery.objects.select_for_update().select_related("endpoint", "event").filter(pk=delivery_id)
        if not force:
            query = query.filter(_due(now))
        row = query.first()
        if row is None:
            return None
        row.status = WebhookDelivery.Status.SENDING
        row.lease_until = now + timedelta(seconds=LEASE_SECONDS)
        row.save(update_fields=["status", "lease_until"])
        return row


def webhook_delivery_send(*, delivery_id: str, client: httpx.Client | None = None, force: bool = False) -> str:
    """Try one delivery now; returns its status afterwards. ``force`` is a manual redelivery."""
    now = timezone.now()
    row = _claim(delivery_id, now, force=force)
    if row is None:
        return WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first() or "missing"
    body = json.dumps(event_payload(row.event, row.endpoint), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "ConnectSupport/1.0 (+webhooks)",
        "Stripe-Signature": signature_header(payload=body, secret=row.endpoint.secret),
    }
    status_code: int | None = None
    error = ""
    started = time.monotonic()
    host = urlsplit(row.endpoint.url).hostname or ""
    refused = None if _private_allowed(row.endpoint.livemode) else private_destination(host)
    try:
        if refused:
            raise httpx.ConnectError(f"refused: {host} resolves to the private address {refused}")
        http = client or httpx.Client(timeout=_timeout(), follow_redirects=False)
        try:
            answer = http.post(row.endpoint.url, content=body, headers=headers)
        finally:
            if client is None:
                http.close()
        status_code = answer.status_code
        if not 200 <= status_code < 300:
            error = "redirects are not followed" if 300 <= status_code < 400 else f"HTTP {status_code}"
    except httpx.TimeoutException:
        error = "timed out"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    duration = int((time.monotonic() - started) * 1000)
    finished = timezone.now()
    WebhookAttempt.objects.create(
        delivery=row, at=finished, status_code=status_code, error=error[:500], duration_ms=duration
    )
    row.attempts += 1
    row.lease_until = None
    if not error:
        row.status = WebhookDelivery.Status.SUCCEEDED
        row.delivered_at = finished
    elif (finished - row.created_at).total_seconds() >= GIVE_UP_SECONDS:
        row.status = WebhookDelivery.Status.FAILED
    else:
        row.status = WebhookDelivery.Status.PENDING
        row.next_attempt_at = finished + timedelta(seconds=backoff_seconds(row.attempts))
    row.save(update_fields=["attempts", "lease_until", "status", "delivered_at", "next_attempt_at"])
    return row.status


def webhook_deliveries_drain(*, limit: int = 500) -> int:
    now = timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(_due(now)).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    for delivery_id in ids:
        webhook_delivery_send(delivery_id=delivery_id)
    return len(ids)
