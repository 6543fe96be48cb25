"""Prometheus metrics at ``/metrics`` and the readiness probe at ``/readyz``.

Two kinds of figures:
- per process, counted as things happen: requests and their latency by route, open
  WebSocket connections, SMS sent and failed. With ``serve --workers N`` (or any process
  started with ``PROMETHEUS_MULTIPROC_DIR`` set) every process writes its figures to that
  directory and ``/metrics`` adds them up, whichever process answers the scrape;
- cluster-wide, read from the database at scrape time (the outboxes are the source of
  truth): queue lengths, emails and webhooks sent and failed, retries.

``/metrics`` answers requests that carry ``Authorization: Bearer $METRICS_TOKEN`` or, when no
token is set, requests from loopback and private addresses only.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBSOCKETS = Gauge("websocket_connections", "Open WebSocket connections", ["kind"], multiprocess_mode="livesum")
SMS = Counter("sms_messages_total", "Text messages handed to the SMS provider", ["outcome"])


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return str(match.route or match.view_name or "unmatched")[:120]


class RequestMetricsMiddleware:
    """Counts every answer by route pattern (never by raw path, so ids don't explode the
    label set) and records its latency."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        route = _route(request)
        REQUESTS.labels(route, request.method or "GET", str(response.status_code)).inc()
        LATENCY.labels(route).observe(time.perf_counter() - started)
        return response


class OutboxCollector(Collector):
    """Queue lengths and delivery outcomes, read from the outbox tables at scrape time."""

    def describe(self) -> list[GaugeMetricFamily]:
        """The names, without reading the database (the registry calls this on register)."""
        return [
            GaugeMetricFamily("outbox_items", "Rows of each outbox by status", labels=["outbox", "status"]),
            GaugeMetricFamily("outbox_retries", "Tries beyond the first", labels=["outbox"]),
            GaugeMetricFamily("huey_pending_jobs", "Jobs waiting in the queue"),
        ]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from connect_support.cases.models import InboundEmail, OutboundEmail
        from connect_support.risk.models import AccountEmail
        from connect_support.webhooks.models import WebhookDelivery

        sources: list[tuple[str, str, Any]] = [
            ("outbound_case_email", "Case emails to requesters", OutboundEmail),
            ("account_email", "Co-branded emails to accounts", AccountEmail),
            ("webhook_delivery", "Webhook deliveries to platforms", WebhookDelivery),
            ("inbound_email", "Inbound case mail", InboundEmail),
        ]
        by_status = GaugeMetricFamily("outbox_items", "Rows of each outbox by status", labels=["outbox", "status"])
        retries = GaugeMetricFamily(
            "outbox_retries", "Tries beyond the first, summed over each outbox's rows", labels=["outbox"]
        )
        try:
            for name, _label, model in sources:
                for row in model.objects.order_by().values("status").annotate(n=Count("pk")):
                    by_status.add_metric([name, row["status"]], row["n"])
                if name != "inbound_email":
                    extra = model.objects.filter(attempts__gt=1).aggregate(tries=Sum("attempts"), rows=Count("pk"))
                    retries.add_metric([name], (extra["tries"] or 0) - (extra["rows"] or 0))
        except DatabaseError:
            return  # the database is down: /readyz says so; the process figures still export
        yield by_status
        yield retries
        yield GaugeMetricFamily("huey_pending_jobs", "Jobs waiting in the queue", value=_huey_pending())


def _huey_pending() -> int:
    try:
        from huey.contrib.djhuey import HUEY

        return int(HUEY.pending_count())
    except Exception:  # a queue that cannot be read reports nothing rather than failing the scrape
        return -1


_outbox_collector = OutboxCollector()
REGISTRY.register(_outbox_collector)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(_outbox_collector)
        return registry
    return REGISTRY


def _may_scrape(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        return request.headers.get("Authorization", "") == f"Bearer {token}"
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_loopback or address.is_private


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _may_scrape(request):
        return HttpResponse("Metrics are only served to the monitoring network.\n", status=403)
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


_migrations_checked = False


def _migrations_applied() -> bool:
    """True once no migration is left to apply (then remembered: they never un-apply)."""
    global _migrations_checked  # noqa: PLW0603 (a process-wide memo)
    if _migrations_checked:
        return True
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    _migrations_checked = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrations_checked


def _redis_ok() -> bool | None:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers, every migration is applied, Redis answers
    (scale-out). 503 with Retry-After otherwise, naming what is missing."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        checks["migrations"] = "ok" if _migrations_applied() else "pending"
    except DatabaseError as error:
        checks["database"] = f"unavailable: {type(error).__name__}"
    redis_state = _redis_ok()
    if redis_state is not None:
        checks["redis"] = "ok" if redis_state else "unavailable"
    ready = all(value == "ok" for value in checks.values())
    response = JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )
    if not ready:
        response["Retry-After"] = "5"
    return response
