"""The content version: one token that changes whenever published content changes.

Rendered pages are cached under it, so bumping it invalidates every cached page at once.
Where it lives decides who sees a bump:

* embedded mode: a small file in the data folder. Every process on the machine (the web
  server, ``connect-support load-content`` run beside it) reads the same file; checking
  it is one ``stat`` call.
* scale-out (``REDIS_URL``): a Redis key. Each web process re-reads it at most every
  ``HELPCENTER_VERSION_CHECK_SECONDS`` (0.25 s by default), so a publish on one machine
  reaches all of them within that time; the publishing process sees it at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from pathlib import Path
from typing import Protocol

import redis
import redis.asyncio
from django.conf import settings

logger = logging.getLogger(__name__)

REDIS_KEY = "cs:helpcenter:content-version"


def _new_token() -> str:
    return f"{time.time_ns():x}{secrets.token_hex(4)}"


class VersionStore(Protocol):
    def bump(self) -> str: ...

    def current(self) -> str:
        """The version for synchronous callers (views, services)."""

    async def acurrent(self) -> str | None:
        """The version for the ASGI page cache; None when it cannot be known right now."""


class FileVersionStore:
    """The version in a file; ``os.replace`` gives it a new inode on every bump."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stat_key: tuple[int, int] | None = None
        self._value = ""

    def bump(self) -> str:
        token = _new_token()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporary.write_text(token)
        os.replace(temporary, self.path)
        return token

    def current(self) -> str:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return self._bump_missing()
        key = (stat.st_ino, stat.st_mtime_ns)
        if key != self._stat_key:
            self._value = self.path.read_text().strip()
            self._stat_key = key
        return self._value

    def _bump_missing(self) -> str:
        self.bump()
        return self.current()

    async def acurrent(self) -> str | None:
        # A stat of a small local file takes microseconds: cheaper than a thread hop.
        return self.current()


class RedisVersionStore:
    """The version in Redis, shared by every process of a scale-out deployment."""

    def __init__(self, url: str, check_seconds: float) -> None:
        self._sync = redis.Redis.from_url(url, socket_timeout=2)
        self._async_url = url
        self._async_clients: dict[int, redis.asyncio.Redis] = {}
        self.check_seconds = check_seconds
        self._value: str | None = None
        self._checked_at = 0.0
        self._refreshing = False

    def bump(self) -> str:
        token = _new_token()
        self._sync.set(REDIS_KEY, token)
        self._value = token
        self._checked_at = time.monotonic()
        return token

    def current(self) -> str:
        raw = self._sync.get(REDIS_KEY)
        if raw is None:
            return self.bump()
        value = raw.decode() if isinstance(raw, bytes) else str(raw)
        self._value = value
        self._checked_at = time.monotonic()
        return value

    def _async_client(self) -> redis.asyncio.Redis:
        # A client belongs to the event loop that created it.
        loop_id = id(asyncio.get_running_loop())
        client = self._async_clients.get(loop_id)
        if client is None:
            client = redis.asyncio.Redis.from_url(self._async_url, socket_timeout=0.5)
            self._async_clients[loop_id] = client
        return client

    async def acurrent(self) -> str | None:
        now = time.monotonic()
        if self._value is not None and (now - self._checked_at < self.check_seconds or self._refreshing):
            return self._value
        self._refreshing = True
        try:
            client = self._async_client()
            raw = await client.get(REDIS_KEY)
        except Exception:  # any Redis failure means: do not serve from the cache
            logger.warning("helpcenter: cannot read the content version from Redis", exc_info=True)
            self._value = None
            return None
        finally:
            self._refreshing = False
        if raw is None:
            return None  # never published here yet: let Django render (and bump on publish)
        self._value = raw.decode() if isinstance(raw, bytes) else str(raw)
        self._checked_at = time.monotonic()
        return self._value


_store: VersionStore | None = None


def version_store() -> VersionStore:
    global _store  # noqa: PLW0603 (one store per process, created on first use)
    if _store is None:
        if settings.REDIS_URL:
            interval = float(getattr(settings, "HELPCENTER_VERSION_CHECK_SECONDS", 0.25))
            _store = RedisVersionStore(settings.REDIS_URL, interval)
        else:
            _store = FileVersionStore(Path(settings.DATA_DIR) / "helpcenter" / "content-version")
    return _store


def content_version_bump() -> str:
    """Invalidate every cached page, in this process and all others."""
    return version_store().bump()


def content_version() -> str:
    return version_store().current()
