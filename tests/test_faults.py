"""Redis restarted (it keeps nothing on disk) under a scale-out deployment: live chat
recovers, and the email and webhook queued while it was down are delivered once it is
back, because the outbox tables in PostgreSQL, not Redis, hold them. The Redis server is
one of the test's own, on a port of its own, so nothing else on the machine is disturbed."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.cases.conftest import SmtpSink
from tests.chat.remote import ROOT, ChatSocket, Server, free_port, manage, server_env
from tests.chat.test_fault import _postgres_database

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and shutil.which("redis-server")),
    reason="needs PostgreSQL (DATABASE_URL) and the redis-server program: CI's second run has both",
)


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False).stdout
            != b"PONG\n"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # like a crash: nothing is saved (it keeps nothing anyway)
            self.process.wait(timeout=10)
            self.process = None


class _Hooks(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        self.received.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[dict[str, str], PrivateRedis, SmtpSink, list[bytes], str]]:
    redis = PrivateRedis()
    redis.start()
    sink = SmtpSink()
    sink.start()
    received: list[bytes] = []
    hooks = ThreadingHTTPServer(("127.0.0.1", 0), type("Hooks", (_Hooks,), {"received": received}))
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    database = _postgres_database()
    url = next(database)
    try:
        env = server_env(tmp_path, DATABASE_URL=url, REDIS_URL=redis.url, EMAIL_URL=f"smtp://127.0.0.1:{sink.port}")
        yield env, redis, sink, received, f"http://127.0.0.1:{hooks.server_address[1]}/hooks"
    finally:
        next(database, None)
        hooks.shutdown()
        sink.stop()
        redis.stop()


def _wait(condition: Any, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_a_redis_restart_loses_no_chat_message_email_or_webhook(world: Any) -> None:
    env, redis, sink, received, hook_url = world
    manage(env, "connect_support", "migrate")
    people = json.loads(manage(env, "tests.chat.remote", "setup"))
    server = Server(env)
    log = open(Path(env["CONNECT_SUPPORT_DATA_DIR"]) / "worker.log", "ab")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "connect_support", "worker"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    server.start()
    try:
        asyncio.run(_chat_across_a_redis_restart(server, people, redis, env, hook_url))
        # Queued while Redis was down: sent by the periodic sweeps once it is back.
        _wait(lambda: len(sink.messages) >= 1, "the acknowledgement queued during the outage", timeout=150)
        _wait(lambda: len(received) >= 1, "the webhook queued during the outage", timeout=150)
        time.sleep(2)
        assert [m["To"] for m in sink.messages] == ["dana@bakery.example"]  # once
        assert len(received) == 1
    finally:
        server.stop()
        worker.terminate()
        worker.wait(timeout=15)
        log.close()


async def _chat_across_a_redis_restart(
    server: Server, people: dict[str, str], redis: PrivateRedis, env: dict[str, str], hook_url: str
) -> None:
    agent = ChatSocket(server.ws, people["agent"], agent=True)
    await agent.connect()
    await agent.send({"type": "status", "status": "online", "capacity": 2})
    await agent.expect("status", status="online")
    customer = ChatSocket(server.ws, people["customer"], agent=False)
    await customer.connect()
    await customer.send({"type": "start", "client_id": "first", "text": "My payout is missing", "topic": "payouts"})
    started = await customer.expect("started")
    customer.conversation = agent.conversation = started["conversation"]["id"]
    await agent.expect("assigned")
    await agent.send({"type": "subscribe", "conversation": agent.conversation, "last_seq": 0})
    await agent.expect("subscribed")
    await customer.say("before the restart")
    await agent.say("answer before the restart")
    await customer.wait_until(lambda: not customer.unacked and not agent.unacked)

    redis.stop()
    # Work queued while Redis is down: stored in PostgreSQL; the job hand-off fails and is logged.
    manage(env, "tests.scale_out_tools", "open-case", "dana@bakery.example")
    manage(env, "tests.scale_out_tools", "webhook", hook_url)
    redis.start()

    # The clients reconnect (as the widget and the console do when a connection drops) and resume.
    for side in (customer, agent):
        await side.close()
        await side.connect()
        await side.resume()
    await customer.say("after the restart")
    await agent.say("answer after the restart")
    await customer.wait_until(lambda: not customer.unacked and not agent.unacked)
    await customer.wait_until(lambda: customer.last_seq == agent.last_seq and customer.last_seq >= 5)
    texts = [item["text"] for item in agent.items if item["kind"] == "message"]
    assert texts.count("after the restart") == 1
    assert [item["seq"] for item in customer.items] == list(range(1, customer.last_seq + 1))
    await customer.close()
    await agent.close()
