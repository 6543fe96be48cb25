"""The cached fast path, through a real uvicorn server and, for edge cases, directly."""

from __future__ import annotations

import asyncio
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from connect_support.helpcenter.content_version import FileVersionStore, RedisVersionStore
from connect_support.helpcenter.page_cache import CACHE_MARK_HEADER, HelpPageCache
from connect_support.helpcenter.services import ArticleContent, article_save
from tests.helpcenter.conftest import make_article, make_topic

ARTICLE = "/embedded-connect/payouts/late-payout/"


@pytest.fixture
def site(live_url: str) -> httpx.Client:
    make_article(topic=make_topic(), title="My payout is late")
    with httpx.Client(base_url=live_url, timeout=10) as client:
        yield client


def test_second_view_comes_from_the_cache_with_the_same_bytes(site: httpx.Client) -> None:
    first = site.get(ARTICLE)
    second = site.get(ARTICLE)
    assert first.status_code == second.status_code == 200
    assert first.headers["x-page-cache"] == "miss"
    assert second.headers["x-page-cache"] == "hit"
    assert first.content == second.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert "Accept-Language" in second.headers["vary"]
    assert second.headers["content-type"] == "text/html; charset=utf-8"
    assert second.headers["x-frame-options"] == "DENY"
    assert CACHE_MARK_HEADER.lower() not in first.headers
    assert "set-cookie" not in second.headers


def test_cached_pages_carry_a_policy_that_names_no_nonce(site: httpx.Client) -> None:
    first, second = site.get(ARTICLE), site.get(ARTICLE)
    assert (first.headers["x-page-cache"], second.headers["x-page-cache"]) == ("miss", "hit")
    policy = second.headers["content-security-policy"]
    # The same policy for every visitor, and a replayed one is still right: it names no
    # nonce for the page to match and allows no inline script.
    assert policy == first.headers["content-security-policy"]
    assert "'nonce-" not in policy
    assert "script-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert b"nonce" not in second.content


@pytest.mark.browser
def test_a_page_from_the_cache_runs_its_scripts_without_policy_violations(site: httpx.Client, page: Any) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));"
    )
    url = str(site.base_url).rstrip("/") + ARTICLE
    assert page.goto(url).headers["x-page-cache"] == "miss"
    response = page.goto(url)
    assert response.headers["x-page-cache"] == "hit"
    # helpcenter.js ran: it asked api/me who the visitor is and marked the contact panel.
    page.wait_for_selector("[data-hc-contact-panel][data-hc-signed-in='false']")
    page.get_by_role("combobox").first.fill("payout")
    page.wait_for_selector("[role=option]")
    assert page.evaluate("window.__violations") == []
    assert violations == []


def test_etag_revalidation_gzip_and_head(site: httpx.Client) -> None:
    etag = site.get(ARTICLE).headers["etag"]
    not_modified = site.get(ARTICLE, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert site.get(ARTICLE, headers={"If-None-Match": '"other"'}).status_code == 200
    raw = site.get(ARTICLE, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert b"My payout is late" in raw.content  # httpx decodes gzip
    plain = {"Accept-Encoding": "identity"}
    head = site.head(ARTICLE, headers=plain)
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) == len(site.get(ARTICLE, headers=plain).content)


def test_publish_invalidates_at_once(site: httpx.Client) -> None:
    assert b"My payout is late" in site.get(ARTICLE).content
    assert site.get(ARTICLE).headers["x-page-cache"] == "hit"
    from connect_support.helpcenter.models import Article

    article = Article.objects.get(slug="late-payout")
    content = ArticleContent.of(article)
    content.title = "Where is my payout?"
    article_save(content=content, article=article)
    fresh = site.get(ARTICLE)
    assert fresh.headers["x-page-cache"] == "miss"
    assert b"Where is my payout?" in fresh.content


def test_signed_in_visitors_and_changing_queries_go_to_django(site: httpx.Client) -> None:
    site.get(ARTICLE)
    assert site.get(ARTICLE).headers["x-page-cache"] == "hit"
    with_session = site.get(ARTICLE, headers={"Cookie": "csrftoken=abc; sessionid=someone"})
    assert "x-page-cache" not in with_session.headers
    # Only the session cookie matters; a CSRF cookie alone is still anonymous.
    assert site.get(ARTICLE, headers={"Cookie": "csrftoken=abc"}).headers["x-page-cache"] == "hit"
    assert "x-page-cache" not in site.get(ARTICLE, headers={"Authorization": "Bearer x"}).headers
    assert "x-page-cache" not in site.get(ARTICLE + "?source=account_management.edit_payout_details").headers
    assert "x-page-cache" not in site.get("/embedded-connect/search/?q=payout").headers
    assert "x-page-cache" not in site.post(ARTICLE).headers
    # The page the signed-in request saw was not stored in its place.
    assert site.get(ARTICLE).content == site.get(ARTICLE).content


def test_locales_are_cached_apart(site: httpx.Client) -> None:
    english = site.get("/embedded-connect/")
    french = site.get("/embedded-connect/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert english.headers["content-language"] == "en"
    assert french.headers["content-language"] == "fr"
    assert site.get("/embedded-connect/", headers={"Accept-Language": "fr"}).headers["x-page-cache"] == "hit"
    explicit = site.get("/embedded-connect/?locale=fr")
    assert explicit.headers["content-language"] == "fr"
    assert "x-page-cache" not in site.get("/embedded-connect/?locale=fr&x=1").headers


def test_visitor_state_comes_from_api_me_and_is_never_cached(site: httpx.Client) -> None:
    page = site.get(ARTICLE).text
    assert "csrfmiddlewaretoken" not in page
    assert "/static/helpcenter/helpcenter.js" in page
    me = site.get("/embedded-connect/api/me")
    assert me.json()["signed_in"] is False
    assert "no-store" in me.headers["cache-control"]
    assert "x-page-cache" not in me.headers
    assert "csrftoken" in me.headers.get("set-cookie", "")


def test_unknown_pages_are_not_cached(site: httpx.Client) -> None:
    for _ in range(2):
        missing = site.get("/embedded-connect/payouts/nothing-here/")
        assert missing.status_code == 404
        assert missing.headers.get("x-page-cache") is None


# ---- The layer alone, around small ASGI apps that misbehave on purpose ----


class FixedVersion:
    def bump(self) -> str:
        return "v1"

    def current(self) -> str:
        return "v1"

    async def acurrent(self) -> str | None:
        return "v1"


def _run(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: Playwright may own this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _app(headers: list[tuple[bytes, bytes]], calls: list[int]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(1)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<p>page</p>"})

    return app


def _get(layer: HelpPageCache, headers: list[tuple[bytes, bytes]] | None = None) -> list[Any]:
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/embedded-connect/",
        "query_string": b"",
        "headers": headers or [],
    }
    _run(layer(scope, receive, send))
    return sent


@pytest.mark.parametrize(
    "unsafe_header",
    [(b"set-cookie", b"sessionid=abc"), (b"vary", b"Accept-Language, Cookie")],
)
def test_responses_that_depend_on_the_visitor_are_never_stored(unsafe_header: tuple[bytes, bytes]) -> None:
    calls: list[int] = []
    mark = (CACHE_MARK_HEADER.lower().encode(), b"v1")
    layer = HelpPageCache(_app([(b"content-type", b"text/html"), mark, unsafe_header], calls), store=FixedVersion())
    first = _get(layer)
    _get(layer)
    assert len(calls) == 2
    assert mark not in first[0]["headers"]
    assert unsafe_header in first[0]["headers"]


@pytest.mark.parametrize("policy_header", [b"content-security-policy", b"content-security-policy-report-only"])
def test_a_page_whose_policy_names_a_nonce_is_never_replayed(policy_header: bytes) -> None:
    calls: list[int] = []
    nonces = iter([b"first", b"second"])

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(1)
        nonce = next(nonces)
        headers = [
            (CACHE_MARK_HEADER.lower().encode(), b"v1"),
            (policy_header, b"script-src 'self' 'nonce-" + nonce + b"'"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'<script nonce="' + nonce + b'">go()</script>'})

    layer = HelpPageCache(app, store=FixedVersion())
    first, second = _get(layer), _get(layer)
    assert len(calls) == 2
    assert dict(first[0]["headers"])[policy_header] != dict(second[0]["headers"])[policy_header]
    assert second[1]["body"] == b'<script nonce="second">go()</script>'


def test_a_page_rendered_under_an_older_version_is_not_stored() -> None:
    calls: list[int] = []
    layer = HelpPageCache(_app([(CACHE_MARK_HEADER.lower().encode(), b"v0")], calls), store=FixedVersion())
    _get(layer)
    _get(layer)
    assert len(calls) == 2


def test_file_version_is_shared_by_every_process_on_the_machine(tmp_path: Path) -> None:
    web, loader = FileVersionStore(tmp_path / "v"), FileVersionStore(tmp_path / "v")
    first = web.current()
    assert loader.current() == first
    bumped = loader.bump()
    assert web.current() == bumped != first


def _redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_available(), reason="needs Redis on 127.0.0.1:6379")
def test_redis_version_reaches_other_processes_within_the_check_interval() -> None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    publisher = RedisVersionStore(url, check_seconds=0.05)
    other = RedisVersionStore(url, check_seconds=0.05)
    before = publisher.current()

    async def seen_by_other() -> str | None:
        value = await other.acurrent()
        assert value == before
        bumped = publisher.bump()
        await asyncio.sleep(0.06)
        after = await other.acurrent()
        assert after == bumped
        return after

    assert _run(seen_by_other()) != before
