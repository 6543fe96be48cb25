"""The infrastructure each mode uses: embedded by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.test import Client
from huey.contrib.djhuey import HUEY


def test_channel_layer_delivers_a_message() -> None:
    async def round_trip() -> dict[str, str]:
        layer = get_channel_layer()
        assert layer is not None
        name = await layer.new_channel()
        await layer.send(name, {"type": "probe", "text": "héllo"})
        message: dict[str, str] = await asyncio.wait_for(layer.receive(name), timeout=5)
        return message

    # A thread of its own: the browser tests may leave an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, round_trip()).result()["text"] == "héllo"


def test_mode_follows_the_environment() -> None:
    layer = type(get_channel_layer()).__name__
    if settings.REDIS_URL:
        assert layer == "RedisChannelLayer"
        assert type(HUEY).__name__ == "RedisHuey"
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    else:
        assert layer in {"InMemoryChannelLayer", "LocalChannelLayer"}  # in-process, no Redis
        assert type(HUEY).__name__ == "SqliteHuey"
        assert str(settings.DATA_DIR) in str(HUEY.storage.filename)


def test_sqlite_runs_in_wal_mode(db: None) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_responses_carry_a_request_id(db: None) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="proxy-given-id-123")
    assert response["X-Request-ID"] == "proxy-given-id-123"
    generated = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
    assert generated != "bad id with spaces"
    assert len(generated) == 16
