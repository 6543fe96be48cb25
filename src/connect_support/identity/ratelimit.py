"""Fixed-window counters in the cache (Redis in scale-out), shared by every process.

``add`` then ``incr`` is atomic on Redis and under LocMem's lock, so concurrent requests
never lose a count. Keys carry a keyed digest of what is limited, so phone numbers and
emails never appear in the cache in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from connect_support.identity.policy import Limit


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    retry_after: int


def _cache_key(limit: Limit, key: str, now: float) -> tuple[str, int]:
    window_index = int(now // limit.window)
    prefix = getattr(settings, "RATE_LIMIT_CACHE_PREFIX", "rl")
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{limit.scope}:{key}".encode(), hashlib.sha256).hexdigest()[:32]
    retry_after = int(limit.window - (now % limit.window)) + 1
    return f"{prefix}:{limit.scope}:{digest}:{window_index}", retry_after


def rate_limit_hit(*, limit: Limit, key: str) -> RateDecision:
    """Count one event; it is allowed while the window's count stays within the limit."""
    cache_key, retry_after = _cache_key(limit, key, time.time())
    cache.add(cache_key, 0, timeout=limit.window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr
        cache.set(cache_key, 1, timeout=limit.window + 5)
        count = 1
    return RateDecision(allowed=count <= limit.count, count=count, retry_after=retry_after)


def rate_limit_exceeded(*, limit: Limit, key: str) -> RateDecision:
    """Look without counting: used where only failures count (password checks)."""
    cache_key, retry_after = _cache_key(limit, key, time.time())
    count = int(cache.get(cache_key, 0))
    return RateDecision(allowed=count < limit.count, count=count, retry_after=retry_after)
