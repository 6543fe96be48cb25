from __future__ import annotations

import threading

from django.conf import settings
from django.core.cache import cache

from connect_support.identity.policy import Limit
from connect_support.identity.ratelimit import rate_limit_exceeded, rate_limit_hit


def test_the_limit_holds_and_says_when_to_come_back() -> None:
    limit = Limit("test-scope", 3, 60)
    decisions = [rate_limit_hit(limit=limit, key="+14155550101") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert decisions[-1].count == 5
    assert 0 < decisions[-1].retry_after <= 61
    # Another key has its own budget.
    assert rate_limit_hit(limit=limit, key="+14155550102").allowed


def test_peeking_does_not_count() -> None:
    limit = Limit("test-peek", 2, 60)
    for _ in range(10):
        assert rate_limit_exceeded(limit=limit, key="k").allowed
    rate_limit_hit(limit=limit, key="k")
    rate_limit_hit(limit=limit, key="k")
    assert not rate_limit_exceeded(limit=limit, key="k").allowed


def test_concurrent_hits_are_all_counted() -> None:
    limit = Limit("test-concurrent", 1000, 60)
    barrier = threading.Barrier(8)

    def burst() -> None:
        barrier.wait()
        for _ in range(25):
            rate_limit_hit(limit=limit, key="burst")

    threads = [threading.Thread(target=burst) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rate_limit_hit(limit=limit, key="burst").count == 201


def test_what_is_limited_never_appears_in_the_cache_key() -> None:
    limit = Limit("test-privacy", 5, 60)
    rate_limit_hit(limit=limit, key="+14155550101")
    prefix = settings.RATE_LIMIT_CACHE_PREFIX
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        keys = [key for key in cache._cache if prefix in key]  # type: ignore[attr-defined]
    else:
        client = cache._cache.get_client()  # type: ignore[attr-defined]
        keys = [key.decode() for key in client.keys(f"*{prefix}*")]
    assert keys, "the counter is in the configured cache"
    assert all("4155550101" not in key for key in keys)
