"""The fast path: an ASGI layer that answers anonymous support-site page views from
rendered bytes, without entering Django.

Why: a Django render costs milliseconds and, under ASGI, a thread hop; serving the same
bytes from memory costs microseconds (see docs/support-site.md for the measurements).

What is cached: only responses that a view marked with ``X-Helpcenter-Page-Cache`` (the
content version it read before rendering), status 200, that set no cookie, do not vary on
``Cookie`` and whose Content-Security-Policy names no nonce. The mark never leaves the
process.

Content-Security-Policy: the support-site pages load their scripts and styles as files
and use no nonce, so their policy is the same for every response and is replayed as it
was. A page whose render did use the request's nonce (django-csp adds ``'nonce-…'`` to
the policy only then) is tied to that one response: replaying it would hand every
visitor the same nonce, which is no protection. Such a page is never stored and goes to
Django each time, with a fresh nonce.

Key: (content version, locale, path, query). The locale is negotiated exactly as the
views do; the query may only be empty or ``locale=xx``. A publish bumps the version
(:mod:`connect_support.helpcenter.content_version`), which empties the cache.

Who bypasses it: any method but GET and HEAD, any other query string, requests that
carry the session cookie or an ``Authorization`` header. Those go to Django.

Responses from the cache carry a strong ``ETag`` (``If-None-Match`` gets a 304),
``Cache-Control`` from ``HELPCENTER_PAGE_CACHE_CONTROL`` and ``Vary: Accept-Language,
Accept-Encoding``; gzip is served to clients that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings

from connect_support.helpcenter.content_version import VersionStore, version_store
from connect_support.helpcenter.locales import DEFAULT_LOCALE, accept_language_locale, requested_locale

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Loose on purpose: Django's and Channels' handlers annotate scope and messages differently.
AsgiApp = Callable[[Any, Any, Any], Awaitable[None]]

CACHE_MARK_HEADER = "X-Helpcenter-Page-Cache"
_MARK = CACHE_MARK_HEADER.lower().encode()
STATUS_HEADER = b"x-page-cache"
DEFAULT_CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Headers that describe one response, or that the cache sets itself.
_NOT_REPLAYED = {
    b"content-length",
    b"set-cookie",
    b"x-request-id",
    b"vary",
    b"cache-control",
    b"etag",
    b"expires",
    b"last-modified",
    b"date",
    b"server",
    _MARK,
}
_MIN_GZIP_BYTES = 1024
_POLICY_HEADERS = {b"content-security-policy", b"content-security-policy-report-only"}


def _names_a_nonce(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name.lower() in _POLICY_HEADERS and b"'nonce-" in value for name, value in headers)


@dataclass(frozen=True)
class CachedPage:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    gzip_body: bytes | None
    etag: bytes


def _cache_key(version: str, locale: str, path: str, query: bytes) -> tuple[str, str, str, bytes]:
    return (version, locale, path, query)


class HelpPageCache:
    """Wraps the HTTP application; see the module docstring for the rules."""

    def __init__(
        self,
        app: AsgiApp,
        *,
        prefix: str = "/embedded-connect/",
        store: VersionStore | None = None,
        max_entries: int | None = None,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self._store = store
        self.max_entries = max_entries or int(getattr(settings, "HELPCENTER_PAGE_CACHE_ENTRIES", 5000))
        self.cache_control = str(getattr(settings, "HELPCENTER_PAGE_CACHE_CONTROL", DEFAULT_CACHE_CONTROL)).encode()
        self.session_cookie = settings.SESSION_COOKIE_NAME.encode()
        self._pages: dict[tuple[str, str, str, bytes], CachedPage] = {}
        self._version: str | None = None

    @property
    def store(self) -> VersionStore:
        if self._store is None:
            self._store = version_store()
        return self._store

    def clear(self) -> None:
        self._pages.clear()

    def _request_locale(self, scope: Scope) -> tuple[str, bytes, bytes, bytes] | None:
        """(locale, If-None-Match, Accept-Encoding, query) for a cacheable request, else None."""
        if scope["method"] not in {"GET", "HEAD"}:
            return None
        query: bytes = scope.get("query_string", b"")
        explicit = None
        if query:
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            if len(pairs) != 1 or pairs[0][0] != "locale":
                return None
            explicit = requested_locale(pairs[0][1])
            if explicit is None:
                return None
        accept_language = b""
        if_none_match = b""
        accept_encoding = b""
        for name, value in scope["headers"]:
            if name == b"cookie":
                if self.session_cookie in value and self._has_session_cookie(value):
                    return None
            elif name == b"authorization":
                return None
            elif name == b"accept-language":
                accept_language = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"accept-encoding":
                accept_encoding = value
        if explicit:
            locale = explicit
        elif accept_language:
            locale = accept_language_locale(accept_language.decode("latin-1"))
        else:
            locale = DEFAULT_LOCALE
        return locale, if_none_match, accept_encoding, query

    def _has_session_cookie(self, header: bytes) -> bool:
        for part in header.split(b";"):
            name, _, value = part.strip().partition(b"=")
            if name == self.session_cookie and value:
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        request = self._request_locale(scope)
        version = None
        if request is not None:
            version = await self.store.acurrent()
            if version is not None:
                if version != self._version:
                    self._pages.clear()
                    self._version = version
                page = self._pages.get(_cache_key(version, request[0], scope["path"], request[3]))
                if page is not None:
                    await self._serve(page, scope, send, if_none_match=request[1], accept_encoding=request[2])
                    return
        await self.app(scope, receive, self._capturing_send(scope, send, request, version))

    async def _serve(
        self,
        page: CachedPage,
        scope: Scope,
        send: Send,
        *,
        if_none_match: bytes,
        accept_encoding: bytes,
        outcome: bytes = b"hit",
    ) -> None:
        common = [
            (b"etag", page.etag),
            (b"cache-control", self.cache_control),
            (b"vary", b"Accept-Language, Accept-Encoding"),
            (STATUS_HEADER, outcome),
        ]
        if if_none_match and _etag_matches(if_none_match, page.etag):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        body = page.body
        headers = [*page.headers, *common]
        if page.gzip_body is not None and b"gzip" in accept_encoding:
            body = page.gzip_body
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def _capturing_send(
        self, scope: Scope, send: Send, request: tuple[str, bytes, bytes, bytes] | None, version: str | None
    ) -> Send:
        """A ``send`` that strips the mark and, for cacheable responses, stores the page."""
        held: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                mark = next((value for name, value in headers if name.lower() == _MARK), None)
                if mark is None:
                    await send(message)
                    return
                stripped = [(name, value) for name, value in headers if name.lower() != _MARK]
                storable = (
                    request is not None
                    and version is not None
                    and scope["method"] == "GET"
                    and message["status"] == 200
                    and mark.decode() == version
                    and not any(name.lower() == b"set-cookie" for name, _value in stripped)
                    and not any(name.lower() == b"vary" and b"cookie" in value.lower() for name, value in stripped)
                    and not _names_a_nonce(stripped)
                )
                if not storable:
                    await send({**message, "headers": stripped})
                    return
                held["start"] = {**message, "headers": stripped}
                return
            if message["type"] == "http.response.body" and "start" in held:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                if request is None or version is None:  # only held when both were known
                    raise RuntimeError("page cache: a response was held without a cache key")
                page = self._store_page(held["start"]["headers"], b"".join(chunks), version, request, scope["path"])
                await self._serve(
                    page, scope, send, if_none_match=request[1], accept_encoding=request[2], outcome=b"miss"
                )
                return
            await send(message)

        return capture

    def _store_page(
        self,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        version: str,
        request: tuple[str, bytes, bytes, bytes],
        path: str,
    ) -> CachedPage:
        kept = [(name.lower(), value) for name, value in headers if name.lower() not in _NOT_REPLAYED]
        page = CachedPage(
            headers=kept,
            body=body,
            gzip_body=gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= _MIN_GZIP_BYTES else None,
            etag=b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"',
        )
        if len(self._pages) >= self.max_entries:
            self._pages.pop(next(iter(self._pages)))
        self._pages[_cache_key(version, request[0], path, request[3])] = page
        return page


def _etag_matches(header: bytes, etag: bytes) -> bool:
    if header.strip() == b"*":
        return True
    return any(candidate.strip().removeprefix(b"W/") == etag for candidate in header.split(b","))
