"""Operations: the readiness probe, Prometheus metrics, and 503 with Retry-After when the
database cannot be reached."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import psycopg
import pytest
from django.db import connection
from django.test import Client

from connect_support.cases.models import OutboundEmail
from connect_support.identity.sms import sms_send
from tests.factories import platform_with_keys

pytestmark = pytest.mark.django_db


def test_readyz_checks_the_database_migrations_and_redis() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == "ok"
    if os.environ.get("REDIS_URL"):
        assert body["checks"]["redis"] == "ok"
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_readyz_names_what_is_missing(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["checks"]["redis"] == "unavailable"


def test_metrics_count_requests_by_route_and_read_the_outboxes(settings: Any) -> None:
    keys = platform_with_keys()
    client = Client()
    for _ in range(3):
        assert client.get("/v1/accounts", **keys.auth).status_code == 200
    client.get("/v1/accounts/acct_missing", **keys.auth)
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'http_requests_total{method="GET",route="v1/accounts",status="200"}' in text
    assert 'http_requests_total{method="GET",route="v1/accounts/<str:account_id>",status="404"}' in text
    assert 'http_request_duration_seconds_bucket{le="0.005",route="v1/accounts"}' in text
    assert "acct_missing" not in text  # routes, never raw paths
    assert "outbox_items" in text or not OutboundEmail.objects.exists()
    assert "huey_pending_jobs" in text


def test_sms_outcomes_are_counted(settings: Any) -> None:
    settings.SMS_BACKEND = "outbox"
    sms_send(to="+14155550100", body="Your code is 123456")
    text = Client().get("/metrics", REMOTE_ADDR="10.0.0.8").content.decode()
    sent = [line for line in text.splitlines() if line.startswith('sms_messages_total{outcome="sent"}')]
    assert sent
    assert float(sent[0].split()[-1]) >= 1


def test_metrics_are_not_served_to_the_internet(settings: Any) -> None:
    assert Client().get("/metrics", REMOTE_ADDR="8.8.8.8").status_code == 403
    settings.METRICS_TOKEN = "scrape-secret"
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    allowed = Client().get("/metrics", REMOTE_ADDR="8.8.8.8", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert allowed.status_code == 200


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL (CI's second run)")
def test_a_database_outage_answers_503_with_retry_after_and_recovers(live_url: str) -> None:
    """New connections to the test database are refused (as during a restart or a
    failover): requests answer 503 with Retry-After, then recover by themselves."""
    keys = platform_with_keys()
    name = connection.settings_dict["NAME"]
    auth = {"Authorization": f"Bearer {keys.secret_key}"}
    assert httpx.get(f"{live_url}/v1/accounts", headers=auth, timeout=20).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (own_pid,) = cursor.fetchone()
    params = {k: v for k, v in connection.get_connection_params().items() if k in {"host", "port", "user", "password"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s", [name, own_pid]
        )
        try:
            api = httpx.get(f"{live_url}/v1/accounts", headers=auth, timeout=20)
            assert api.status_code == 503, api.text
            assert api.headers["Retry-After"] == "5"
            assert api.json()["error"]["type"] == "api_error"
            page = httpx.get(f"{live_url}/embedded-connect/contact/", timeout=20)
            assert page.status_code == 503
            assert "briefly unavailable" in page.text
            assert httpx.get(f"{live_url}/readyz", timeout=20).status_code == 503
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    # Clients that honour Retry-After get through again within a few tries.
    for _ in range(8):
        after = httpx.get(f"{live_url}/v1/accounts", headers=auth, timeout=20)
        if after.status_code != 503:
            break
        time.sleep(int(after.headers["Retry-After"]))
    assert after.status_code == 200, after.text
    assert httpx.get(f"{live_url}/readyz", timeout=20).status_code == 200
