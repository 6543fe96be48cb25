"""Servers in subprocesses for the chat tests that need real processes (a kill, or two of
them over Redis), and a protocol client over real sockets that behaves like the widget:
it keeps unacknowledged messages and sends them again after reconnecting, and resumes
from the last number it saw.

``python -m tests.chat.remote setup`` (run with a server's environment) signs in one
customer and one agent through identity's services and prints their cookies as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "CONNECT_SUPPORT_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(ROOT),
            "SMTPD_PORT": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_ALLOW_ASYNC_UNSAFE": "",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=180
    )
    if result.returncode != 0:
        raise RuntimeError(f"{args} failed: {result.stderr[-2000:]}")
    return result.stdout


@dataclass
class Server:
    """``connect-support serve`` on a port, started, killed and started again."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(Path(self.env["CONNECT_SUPPORT_DATA_DIR"]) / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "connect_support", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not come up")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine loses power or the OOM killer strikes."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


class ChatSocket:
    """One side of a chat over a real WebSocket, reconnecting like the browser clients do."""

    def __init__(self, url: str, cookie: str, *, agent: bool) -> None:
        self.url = url + ("/console/chats/ws" if agent else "/embedded-connect/chat/ws")
        self.cookie = cookie
        self.agent = agent
        self.conversation: str | None = None
        self.last_seq = 0
        self.items: list[dict[str, Any]] = []
        self.unacked: dict[str, dict[str, Any]] = {}
        self.acked: dict[str, int] = {}
        self.socket: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.resends: set[asyncio.Future[None]] = set()

    async def connect(self) -> dict[str, Any]:
        from websockets.asyncio.client import connect

        self.socket = await connect(
            self.url, origin="http://127.0.0.1", additional_headers={"Cookie": f"sessionid={self.cookie}"}
        )
        self.frames = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())
        return await self.expect("hello")

    async def _read(self) -> None:
        try:
            async for raw in self.socket:
                frame = json.loads(raw)
                if frame["type"] in {"started", "resumed", "subscribed"}:
                    self.conversation = frame["conversation"]["id"]
                if frame["type"] == "item" and frame["conversation"] == self.conversation:
                    assert frame["seq"] == self.last_seq + 1, f"out of order: {frame['seq']} after {self.last_seq}"
                    self.last_seq = frame["seq"]
                    self.items.append(frame)
                elif frame["type"] == "ack":
                    self.unacked.pop(frame["client_id"], None)
                    self.acked[frame["client_id"]] = frame["seq"]
                elif frame["type"] == "error" and frame.get("client_id") in self.unacked:
                    # Told to slow down (or the server could not store it): send it again later.
                    asyncio.get_running_loop().call_later(
                        max(0.2, float(frame.get("retry_after", 0.5))), self._resend, frame["client_id"]
                    )
                await self.frames.put(frame)
        except Exception as error:  # the connection died: the test reconnects
            await self.frames.put({"type": "<closed>", "error": repr(error)})

    def _resend(self, client_id: str) -> None:
        frame = self.unacked.get(client_id)
        if frame is not None and self.socket is not None:
            self.resends.add(asyncio.ensure_future(self._send_quietly(frame)))

    async def _send_quietly(self, frame: dict[str, Any]) -> None:
        try:
            await self.send(frame)
        except Exception:  # the reconnect sends it again
            return

    async def expect(self, frame_type: str, timeout: float = 10, **match: Any) -> dict[str, Any]:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.frames.get()
                if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
                    return frame

    async def send(self, frame: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(frame))

    async def say(self, text: str) -> str:
        client_id = uuid.uuid4().hex
        frame = {"type": "message", "client_id": client_id, "text": text}
        if self.agent:
            frame["conversation"] = self.conversation
        self.unacked[client_id] = frame
        await self._send_quietly(frame)  # if the connection is gone, the reconnect sends it again
        return client_id

    async def resume(self) -> None:
        """After a reconnect: continue from the last number seen, then resend what was
        never acknowledged (the server stores each client id once)."""
        assert self.conversation is not None
        if self.agent:
            await self.send({"type": "subscribe", "conversation": self.conversation, "last_seq": self.last_seq})
            await self.expect("subscribed")
        else:
            await self.send({"type": "resume", "conversation": self.conversation, "last_seq": self.last_seq})
            await self.expect("resumed")
        for frame in list(self.unacked.values()):
            await self.send(frame)

    async def wait_until(self, condition: Any, timeout: float = 15) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; last items {[i['seq'] for i in self.items[-5:]]}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.socket is not None:
            await self.socket.close()


def setup_people() -> dict[str, Any]:
    """In the server's environment: an eligible account user and an agent, signed in."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect_support.settings")
    import django

    django.setup()
    from tests.chat.support import ChatWorld

    world = ChatWorld()
    customer = world.customer()
    agent = world.agent()
    second = world.agent(name="Blake Agent")
    return {
        "customer": customer.cookie,
        "agent": agent.cookie,
        "second_agent": second.cookie,
        "account": customer.account.pk,
    }


if __name__ == "__main__" and sys.argv[1:] == ["setup"]:
    print(json.dumps(setup_people()))
