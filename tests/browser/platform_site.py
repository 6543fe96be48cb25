"""A platform's web app on another origin than the operator, for the component tests.

It is what a platform runs: a page that loads ``connect.js`` from the operator and a
server route that mints account sessions with the platform's secret key through the
public API (the official SDK). The page records every callback in ``window.events``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import stripe

DOCS = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"

HARNESS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Seller settings · Test platform</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#17202b}
header{background:#fff;border-bottom:1px solid #e2e6ea;padding:14px 24px;font-weight:700}
main{max-width:920px;margin:24px auto;padding:0 20px;display:grid;gap:20px}</style></head>
<body><header>Test platform</header><main><h1>Seller settings</h1><div id="slots"></div></main>
<script type="module">
import { loadConnectAndInitialize } from "__OPERATOR__/v1/connect.js";
const params = new URLSearchParams(location.search);
window.events = [];
const record = (name) => (payload) => window.events.push({ name, ...payload });
const instance = loadConnectAndInitialize({
  publishableKey: params.get("pk") || "__PUBLISHABLE_KEY__",
  fetchClientSecret: async () => {
    window.events.push({ name: "fetchClientSecret" });
    const response = await fetch("/account_session", { method: "POST" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error);
    return body.client_secret;
  },
  appearance: {
    overlays: params.get("overlays") || "dialog",
    variables: { colorPrimary: "#0f5bd8", borderRadius: "8px" },
  },
});
window.instance = instance;
const options = { fields: params.get("fields") || "currently_due", futureRequirements: "omit" };
function mount(name) {
  const element = instance.create(name);
  element.setOnLoadError(record("loadError"));
  element.setOnLoaderStart(record("loaderStart"));
  element.setCollectionOptions(options);
  if (name === "account-onboarding") {
    element.setOnStepChange(record("stepChange"));
    element.setOnExit(() => {
      window.events.push({ name: "exit" });
      const banner = document.querySelector("stripe-connect-notification-banner");
      if (banner) banner.replaceWith(mount("notification-banner"));
    });
  }
  if (name === "notification-banner") element.setOnNotificationsChange(record("notificationsChange"));
  return element;
}
for (const name of (params.get("components") || "notification-banner,account-onboarding").split(",")) {
  document.getElementById("slots").append(mount(name));
}
</script></body></html>"""


@dataclass
class PlatformSite:
    """The platform's server. ``account_id`` is the signed-in seller; ``next_secrets``
    are answered before minting new ones (stale secrets for the error tests)."""

    operator_url: str
    secret_key: str
    publishable_key: str
    account_id: str = ""
    components: dict[str, Any] = field(default_factory=dict)
    next_secrets: list[str] = field(default_factory=list)
    minted: list[str] = field(default_factory=list)
    origin: str = ""

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(self.secret_key, base_addresses={"api": self.operator_url})

    def mint(self) -> str:
        if self.next_secrets:
            return self.next_secrets.pop(0)
        components = self.components or {
            name: {"enabled": True} for name in ("account_onboarding", "account_management", "notification_banner")
        }
        session = self.client().v1.account_sessions.create(
            params={"account": self.account_id, "components": components}  # type: ignore[typeddict-item]
        )
        self.minted.append(session.client_secret)
        return session.client_secret

    def harness(self) -> str:
        return HARNESS.replace("__OPERATOR__", self.operator_url).replace("__PUBLISHABLE_KEY__", self.publishable_key)

    def docs_example(self) -> str:
        """The page of docs/embedding.md, with this test's operator URL and key."""
        text = DOCS.read_text(encoding="utf-8")
        match = re.search(r"<!-- example: platform page -->\s*```html\n(.*?)```", text, re.DOTALL)
        assert match, "docs/embedding.md lost its example page"
        return (
            match.group(1)
            .replace("https://connect.operator.example", self.operator_url)
            .replace("pk_test_your_publishable_key", self.publishable_key)
        )


def serve_platform_site(site: PlatformSite) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/favicon.ico":
                self._send(404, b"", "text/plain")
                return
            page = site.docs_example() if path == "/docs-example" else site.harness()
            self._send(200, page.encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                secret = site.mint()
            except stripe.StripeError as exc:
                self._send(502, json.dumps({"error": str(exc)}).encode(), "application/json")
                return
            self._send(200, json.dumps({"client_secret": secret}).encode(), "application/json")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    # Another host name and another port than the operator's 127.0.0.1: another origin.
    site.origin = f"http://localhost:{server.server_address[1]}"
    return server, site.origin
