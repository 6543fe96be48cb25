"""Helpers for the chat tests: people signed in the way the product signs them in, and a
small client over Channels' communicator that speaks the chat protocol."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyotp
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.chat.models import AgentStatus
from connect_support.identity.agents import agent_ensure
from connect_support.identity.sessions import agent_sign_in, support_sign_in
from tests.factories import make_account, platform_with_keys

T = TypeVar("T")
ORIGIN = b"http://testserver"
_numbers = itertools.count(100)


def run(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run an async scenario to the end on a fresh event loop, with the Redis channel
    layer's per-channel receive locks fresh at the start and its pending clean-ups finished
    at the end. The layer is one object for the whole test process, and a receive cancelled
    while it waited for such a lock (a connection closed at the end of an earlier test)
    leaves the lock bound to that test's closed loop, which hangs or fails a later test; a
    server process has one loop and never meets this."""

    # A layer object of its own for each scenario: the Redis layer keeps per-loop state
    # (receive locks, pools) that a later test's loop must not inherit.
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)

    async def settled() -> T:
        layer = get_channel_layer()
        if hasattr(layer, "receive_clean_locks") and not getattr(layer, "receive_count", 0):
            layer.receive_clean_locks = type(layer.receive_clean_locks)()
        try:
            return await scenario()
        finally:
            cleaners = list(getattr(layer, "receive_cleaners", []))
            if cleaners:
                await asyncio.gather(*cleaners, return_exceptions=True)

    return async_to_sync(settled)()


def signed_in_session(*, account: ConnectedAccount, person: Person | None) -> str:
    """A support-site session made by identity's sign-in service; returns the cookie value."""
    request = RequestFactory().get("/embedded-connect/")
    request.session = SessionStore()
    support_sign_in(request=request, account=account, person=person, method="sms")
    request.session.save()
    assert request.session.session_key
    return request.session.session_key


def agent_session(user: User) -> str:
    request = RequestFactory().get("/console/")
    request.session = SessionStore()
    agent_sign_in(request=request, user=user, method="password+totp")
    request.session.save()
    assert request.session.session_key
    return request.session.session_key


@dataclass
class Customer:
    account: ConnectedAccount
    person: Person | None
    cookie: str

    @property
    def first_name(self) -> str:
        return self.person.first_name if self.person else ""


@dataclass
class Agent:
    user: User
    cookie: str

    def go_online(self, capacity: int = 3) -> None:
        """As if the workspace were open and set to online (the consumer's own path is
        tested separately)."""
        from django.utils import timezone

        AgentStatus.objects.update_or_create(
            user=self.user,
            defaults={
                "status": "online",
                "capacity": capacity,
                "connected_until": timezone.now() + timezone.timedelta(minutes=5),
                "updated_at": timezone.now(),
            },
        )


class ChatWorld:
    def customer(self, *, supported: bool = True, first_name: str = "Robin") -> Customer:
        n = next(_numbers)
        account = make_account(
            platform_with_keys().platform,
            supported=supported,
            email=f"owner{n}@shop.example",
            individual={
                "first_name": first_name,
                "last_name": "Owner",
                "phone": f"+1415555{n:04d}",
                "email": f"owner{n}@shop.example",
            },
        )
        person = account.representative
        return Customer(account, person, signed_in_session(account=account, person=person))

    def agent(self, *, name: str = "Avery Agent", roles: tuple[str, ...] = ("support agent",)) -> Agent:
        n = next(_numbers)
        user = agent_ensure(
            email=f"agent{n}@operator.test",
            password="correct horse battery staple",
            name=name,
            roles=roles,
            totp_secret=pyotp.random_base32(),
        )
        return Agent(user, agent_session(user))


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]
    """Channels' WebsocketCommunicator, on the same asgiref base. (``channels.testing``
    imports daphne, which this project does not install.)"""

    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers, "subprotocols": []}
        scope["client"] = ("127.0.0.1", 50000)
        super().__init__(application, scope)

    async def connect(self, wait: float = 1) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(wait)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.send_input({"type": "websocket.receive", "text": text_data})
        else:
            await self.send_input({"type": "websocket.receive", "bytes": bytes_data})

    async def receive(self, wait: float) -> dict[str, Any]:
        """The next message from the application. Unlike ``receive_output``, running out
        of time leaves the application running (the tests wait for silence on purpose)."""
        if not self.output_queue.empty():
            message: dict[str, Any] = self.output_queue.get_nowait()
            return message
        getter = asyncio.ensure_future(self.output_queue.get())
        done, _pending = await asyncio.wait({getter, self.future}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            message = getter.result()
            return message
        getter.cancel()
        if self.future in done:
            self.future.result()
            return {"type": "websocket.close", "code": "<application ended>"}
        raise TimeoutError

    async def disconnect(self, code: int = 1000, wait: float = 1) -> None:
        if self.future.done():
            return
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(wait)


def cookie_headers(cookie: str | None, origin: bytes = ORIGIN) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", origin), (b"host", b"testserver"), (b"user-agent", b"pytest")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return headers


@dataclass
class Client:
    """One WebSocket connection, with everything it received kept in order."""

    communicator: WebsocketCommunicator
    received: list[dict[str, Any]] = field(default_factory=list)
    closed_with: int | None = None

    @classmethod
    async def connect(cls, path: str, cookie: str | None, origin: bytes = ORIGIN, expect_hello: bool = True) -> Client:
        from connect_support.asgi import application

        communicator = WebsocketCommunicator(application, path, headers=cookie_headers(cookie, origin))
        connected, _ = await communicator.connect(wait=5)
        client = cls(communicator)
        if not connected:
            client.closed_with = -1
            return client
        if expect_hello:
            await client.expect("hello")
        return client

    @classmethod
    async def customer(cls, who: Customer | None, **kwargs: Any) -> Client:
        return await cls.connect("/embedded-connect/chat/ws", who.cookie if who else None, **kwargs)

    @classmethod
    async def agent(cls, who: Agent, **kwargs: Any) -> Client:
        return await cls.connect("/console/chats/ws", who.cookie, **kwargs)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.communicator.send_to(text_data=json.dumps(frame))

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def next(self, wait: float = 3) -> dict[str, Any]:
        output = await self.communicator.receive(wait)
        if output["type"] == "websocket.close":
            self.closed_with = output.get("code", 1000)
            return {"type": "<closed>", "code": self.closed_with}
        frame: dict[str, Any] = json.loads(output["text"])
        self.received.append(frame)
        return frame

    async def expect(self, frame_type: str, wait: float = 3, **match: Any) -> dict[str, Any]:
        """The next frame of this type (and these fields); other frames are kept, skipped."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no {frame_type} {match} frame; got {self.received[-8:]}")
            try:
                frame = await self.next(remaining)
            except TimeoutError:
                raise AssertionError(f"no {frame_type} {match} frame; got {self.received[-8:]}") from None
            if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
                return frame
            if frame["type"] == "<closed>":
                raise AssertionError(
                    f"closed with {frame['code']} while waiting for {frame_type}: {self.received[-5:]}"
                )

    async def expect_closed(self, wait: float = 3) -> int:
        while self.closed_with is None:
            await self.next(wait)
        return self.closed_with

    async def quiet(self, seconds: float = 0.2) -> list[dict[str, Any]]:
        """Whatever arrives within ``seconds``."""
        got = []
        while True:
            try:
                frame = await self.next(seconds)
            except TimeoutError:
                return got
            got.append(frame)

    def items(self, conversation: str | None = None) -> list[dict[str, Any]]:
        return [
            f
            for f in self.received
            if f["type"] == "item" and (conversation is None or f["conversation"] == conversation)
        ]

    async def start(self, text: str = "Hello, my payout is late.", **extra: Any) -> dict[str, Any]:
        await self.send({"type": "start", "client_id": new_client_id(), "text": text, "topic": "payouts", **extra})
        return await self.expect("started")

    async def say(self, text: str, conversation: str | None = None, client_id: str | None = None) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "message", "client_id": client_id or new_client_id(), "text": text}
        if conversation:
            frame["conversation"] = conversation
        await self.send(frame)
        return await self.expect("ack", client_id=frame["client_id"])

    async def close(self) -> None:
        await self.communicator.disconnect()


def new_client_id() -> str:
    return uuid.uuid4().hex


db = database_sync_to_async
