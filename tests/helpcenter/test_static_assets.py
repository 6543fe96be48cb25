from __future__ import annotations

import re

import httpx
import pytest

from tests.helpcenter.conftest import make_article, make_topic


@pytest.fixture
def site(live_url: str) -> httpx.Client:
    make_article(topic=make_topic())
    with httpx.Client(base_url=live_url, timeout=10) as client:
        yield client


def test_pages_link_fingerprinted_assets_served_compressed_and_immutable(site: httpx.Client) -> None:
    page = site.get("/embedded-connect/").text
    css = re.search(r'href="(/static/helpcenter/helpcenter\.css\?v=[0-9a-f]{16})"', page)
    js = re.search(r'src="(/static/helpcenter/helpcenter\.js\?v=[0-9a-f]{16})"', page)
    assert css
    assert js
    response = site.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert ".hc-layout" in response.text
    # Without the current fingerprint the file must be revalidated.
    stale = site.get("/static/helpcenter/helpcenter.css?v=0000000000000000")
    assert stale.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert site.get(css.group(1), headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    # The site-wide stylesheet is found too.
    assert site.get("/static/connect_support/base.css").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/../settings.py",
        "/static/%2e%2e/settings.py",
        "/static/helpcenter/nope.css",
        "/static/",
        "/static//etc/passwd",
    ],
)
def test_missing_or_escaping_paths_are_not_served(site: httpx.Client, path: str) -> None:
    assert site.get(path).status_code == 404
