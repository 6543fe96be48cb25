"""A local HTTP server that speaks the shape of Twilio's Messages API, for tests."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"


@dataclass
class FakeTwilio:
    """Answers each request with the next scripted status (201 once the script runs out)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = base64.b64decode(self.headers.get("Authorization", "Basic ").split(" ", 1)[1]).decode()
                fake.requests.append({"path": self.path, "form": form, "auth": auth})
                status = fake.statuses.pop(0) if fake.statuses else 201
                if auth != f"{ACCOUNT_SID}:{AUTH_TOKEN}":
                    status = 401
                expected = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
                if status == 201 and self.path != expected:
                    status = 404
                if status == 201:
                    body: dict[str, Any] = {
                        "sid": f"SM{len(fake.requests):032d}",
                        "account_sid": ACCOUNT_SID,
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "status": "queued",
                        "num_segments": "1",
                        "direction": "outbound-api",
                        "api_version": "2010-04-01",
                        "uri": f"{expected[:-5]}/SM{len(fake.requests):032d}.json",
                    }
                elif status == 400:
                    body = {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}
                else:
                    body = {"code": 20500, "message": "Internal Server Error", "status": status}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
