"""Static files (``STATIC_URL``) served by an ASGI layer, from memory, compressed.

Django serves no static files unless ``DEBUG`` is on, and a trip through Django per
stylesheet would cost as much as a page. This layer answers ``GET``/``HEAD`` under
``STATIC_URL`` itself: each file is found once through Django's staticfiles finders (so
every app's ``static/`` folder works without ``collectstatic``), kept in memory with a
gzip copy for text types, and served with a strong ``ETag``.

Fingerprints: :func:`asset_url` (the ``{% asset_url %}`` tag) adds ``?v=<hash of the
content>``. A request whose ``v`` matches the file's current hash is answered with
``Cache-Control: public, max-age=31536000, immutable``; anything else must revalidate,
so a changed file is never served stale.

Every part of the product (support site, console, embedded components) links its files
through it; ``connect_support.asgi`` puts the layer in front of the whole site.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.templatetags.static import static

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Loose on purpose: Django's and Channels' handlers annotate scope and messages differently.
AsgiApp = Callable[[Any, Any, Any], Awaitable[None]]

_READ_METHODS = {"GET", "HEAD"}
MAX_ASSET_BYTES = 5 * 1024 * 1024
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"public, max-age=0, must-revalidate"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzip_body: bytes | None
    content_type: bytes
    fingerprint: str

    @property
    def etag(self) -> bytes:
        return f'"{self.fingerprint}"'.encode()


_assets: dict[str, Asset | None] = {}


def _content_type(path: str) -> str:
    guessed, _encoding = mimetypes.guess_type(path)
    if path.endswith(".js") or path.endswith(".mjs"):
        guessed = "application/javascript"
    guessed = guessed or "application/octet-stream"
    if guessed.startswith("text/") or guessed == "application/javascript":
        guessed += "; charset=utf-8"
    return guessed


def load_asset(relative: str) -> Asset | None:
    """The file at ``relative`` under the static folders, or None."""
    if not settings.DEBUG and relative in _assets:
        return _assets[relative]
    found: str | None = None
    if relative and ".." not in relative.split("/") and not relative.startswith("/"):
        try:
            result = finders.find(relative)
        except SuspiciousFileOperation:
            result = None
        found = result if isinstance(result, str) else None
    asset = None
    if found is not None:
        path = Path(found)
        if path.is_file() and path.stat().st_size <= MAX_ASSET_BYTES:
            body = path.read_bytes()
            content_type = _content_type(relative)
            compressible = content_type.startswith(_COMPRESSIBLE) and len(body) > 512
            asset = Asset(
                body=body,
                gzip_body=gzip.compress(body, compresslevel=9, mtime=0) if compressible else None,
                content_type=content_type.encode(),
                fingerprint=hashlib.blake2b(body, digest_size=8).hexdigest(),
            )
    _assets[relative] = asset
    return asset


def asset_url(relative: str) -> str:
    """``static(relative)`` with the content fingerprint, for far-future caching."""
    asset = load_asset(relative)
    url = static(relative)
    return f"{url}?v={asset.fingerprint}" if asset else url


class StaticAssets:
    """Serves ``STATIC_URL`` in front of ``app``; other requests pass through."""

    def __init__(self, app: AsgiApp) -> None:
        self.app = app
        self.prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _READ_METHODS or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        asset = load_asset(scope["path"][len(self.prefix) :])
        if asset is None:
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        headers = [
            (b"etag", asset.etag),
            (b"cache-control", IMMUTABLE if query.get("v") == asset.fingerprint else REVALIDATE),
            (b"vary", b"Accept-Encoding"),
            (b"x-content-type-options", b"nosniff"),
        ]
        request_headers = dict(scope["headers"])
        if request_headers.get(b"if-none-match", b"").strip() in {asset.etag, b"W/" + asset.etag}:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = asset.body
        if asset.gzip_body is not None and b"gzip" in request_headers.get(b"accept-encoding", b""):
            body = asset.gzip_body
            headers.append((b"content-encoding", b"gzip"))
        headers += [(b"content-type", asset.content_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
