"""Serving ``connect.js``: a stable entry point and versioned, immutable modules.

The components are plain ES modules in ``static/embedded/connect/``. They are served under
``/v1/connect/<version>/<module>.js``, where ``version`` is a digest of all of them, with
``Cache-Control: immutable`` for a year: a page never runs a mix of two releases, and
browsers never ask again. ``/v1/connect.js`` is the address platforms write in their
pages: a one-line module re-exporting the current version, cached five minutes and
revalidated with its ``ETag``, so a release reaches every page within minutes.
Module scripts are fetched with CORS, so every response allows any origin to load it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse

MODULE_DIR = Path(__file__).resolve().parent / "static" / "embedded" / "connect"
_NAME = re.compile(r"^[a-z][a-z0-9_-]*\.js$")
ENTRY_MAX_AGE = 300
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Bundle:
    version: str
    modules: dict[str, bytes]

    @property
    def entry(self) -> bytes:
        return (f'export * from "./connect/{self.version}/connect.js";\n').encode()


_bundle: Bundle | None = None


def current_bundle() -> Bundle:
    """The modules on disk and their version, read once per process (every time in DEBUG)."""
    global _bundle  # noqa: PLW0603 (a per-process cache of files that change only with a release)
    if _bundle is not None and not settings.DEBUG:
        return _bundle
    modules = {path.name: path.read_bytes() for path in sorted(MODULE_DIR.glob("*.js")) if _NAME.match(path.name)}
    digest = hashlib.blake2b(digest_size=8)
    for name, body in modules.items():
        digest.update(name.encode() + b"\0" + body + b"\0")
    _bundle = Bundle(version=digest.hexdigest(), modules=modules)
    return _bundle


def _javascript(body: bytes, *, cache_control: str, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = cache_control
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    if etag:
        response["ETag"] = etag
    return response


def entry(request: HttpRequest) -> HttpResponse:
    """``/v1/connect.js``"""
    bundle = current_bundle()
    etag = f'"{bundle.version}"'
    if request.headers.get("If-None-Match", "").strip() in {etag, f"W/{etag}"}:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={ENTRY_MAX_AGE}"
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return _javascript(bundle.entry, cache_control=f"public, max-age={ENTRY_MAX_AGE}", etag=etag)


def module(request: HttpRequest, version: str, name: str) -> HttpResponse:
    """``/v1/connect/<version>/<name>.js``"""
    bundle = current_bundle()
    body = bundle.modules.get(name)
    if body is None:
        response = HttpResponse(b"// No such module.\n", status=404, content_type="text/javascript; charset=utf-8")
        response["Access-Control-Allow-Origin"] = "*"
        return response
    if version != bundle.version:
        # A page from before a release asks for an old module: answer the current one
        # without letting anything cache it under the old version's name.
        return _javascript(body, cache_control="no-store")
    return _javascript(body, cache_control=IMMUTABLE, etag=f'"{bundle.version}-{name}"')
