"""What both consumers share: accepting and closing, frame limits, rate limits, heartbeats,
session re-checks, and delivering the numbered items of a conversation exactly once and
in order.

Delivery. A connection keeps, per conversation it follows, the last number it delivered.
An item arriving from the channel layer is sent if it is the next number, dropped if it
was delivered already, and otherwise held while the missing numbers are read from the
database (an item is only ever sent after its transaction committed, and numbers commit
in order, so the missing ones are there). Following a conversation from a number N
joins its group first and then reads everything after N: nothing falls between the two,
and anything read twice is dropped by its number. Every heartbeat compares the last
number in the database with the last delivered and catches up, so an event the channel
layer lost (a full channel, a Redis hiccup) arrives within a heartbeat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from channels.consumer import AsyncConsumer, get_handler_name
from channels.exceptions import StopConsumer

from connect_support.chat import policy
from connect_support.chat.auth import customer_sessions_valid, session_still_valid
from connect_support.chat.clock import clock_ensure, clock_forget
from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.protocol import Close, TokenBucket, frame_decode, frame_encode
from connect_support.chat.selectors import REPLAY_PAGE, items_after, last_seqs
from connect_support.chat.threads import Batched, db
from connect_support.metrics import WEBSOCKETS

logger = logging.getLogger(__name__)

GROUP_REFRESH_SECONDS = 3600
# Frames that are not a person's doing: they do not keep a session alive.
_PASSIVE_FRAMES = frozenset({"ping", "subscribe", "resume", "agents"})
# Customers' sessions are re-checked together: thousands of connections, one query.
_customer_sessions_valid = Batched(customer_sessions_valid)


@dataclass
class Stream:
    conversation_id: str
    delivered: int = 0
    held: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The conversation's last number in the database at the previous heartbeat.
    committed: int = 0


FrameHandler = Callable[[dict[str, Any]], Awaitable[None]]


class ChatConnection(AsyncConsumer):  # type: ignore[misc]
    role: ClassVar[str] = ""
    agent: bool = False

    def __init__(self) -> None:
        super().__init__()
        self.streams: dict[str, Stream] = {}
        self.joined: set[str] = set()
        self.session_id = ""
        self.open = False
        self.frames = TokenBucket(policy.tunable("FRAMES_PER_SECOND"), int(policy.tunable("FRAME_BURST")))
        self.messages = TokenBucket(policy.tunable("MESSAGES_PER_SECOND"), int(policy.tunable("MESSAGE_BURST")))
        self.refused = 0
        self.last_refusal_sent = 0.0
        self.bad_frames = 0
        self.last_frame_at = time.monotonic()
        self.session_checked_at = time.monotonic()
        self.active_since_check = False
        self.groups_refreshed_at = time.monotonic()
        self.handlers: dict[str, FrameHandler] = {}

    # ---- the ASGI side ----

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch closes old database connections first, a thread hop per
        # event; our database work happens in ``db`` calls, which do that themselves.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        await self.send({"type": "websocket.accept"})
        self.open = True
        self.counted = True
        WEBSOCKETS.labels(f"chat_{self.role}").inc()
        try:
            await self.on_connect()
        except ChatRefusedError as refusal:
            await self.close_with(refusal.details.pop("close", Close.FORBIDDEN), refusal.frame())
            return
        clock_ensure(self)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self.open = False
        if getattr(self, "counted", False):
            self.counted = False
            WEBSOCKETS.labels(f"chat_{self.role}").dec()
        clock_forget(self)
        for group in list(self.joined):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the group expires by itself
                logger.warning("chat group not left: %s", group)
        raise StopConsumer

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        if not self.open:
            return
        self.last_frame_at = time.monotonic()
        text = message.get("text")
        if text is None:
            await self.send_json(ChatRefusedError("bad_frame", "Frames are text (JSON), not binary.").frame())
            return
        if len(text) > policy.MAX_FRAME_BYTES:
            refusal = ChatRefusedError("too_large", f"Frames can be at most {policy.MAX_FRAME_BYTES} bytes.")
            await self.close_with(Close.TOO_LARGE, refusal.frame())
            return
        if not self.frames.take():
            await self.refuse_for_rate(self.frames)
            return
        frame: dict[str, Any] | None = None
        try:
            frame = frame_decode(text)
            handler = self.handlers.get(frame["type"])
            if handler is None:
                raise ChatRefusedError("unknown_type", f"Unknown frame type {str(frame['type'])[:40]!r}.")
            if not await self.session_ok(frame):
                return
            await handler(frame)
        except ChatRefusedError as refusal:
            await self.refuse(refusal, frame)
        except Exception:
            # A bug or a database hiccup: this frame failed, the connection and the others go on.
            logger.exception("chat frame failed")
            failure = ChatRefusedError("server_error", "Something went wrong on our side; try again.")
            await self.refuse(failure, frame)

    async def refuse(self, refusal: ChatRefusedError, frame: dict[str, Any] | None) -> None:
        echo: dict[str, Any] = {}
        if isinstance(frame, dict):
            for key in ("client_id", "conversation"):
                if isinstance(frame.get(key), str) and len(frame[key]) <= 64:
                    echo[key] = frame[key]
            echo["in_reply_to"] = str(frame.get("type"))[:40]
        if refusal.code in {"bad_json", "bad_frame", "unknown_type"}:
            self.bad_frames += 1
            if self.bad_frames > 3 * policy.FLOOD_CLOSE_AFTER:
                await self.close_with(Close.BAD_PROTOCOL, refusal.frame(**echo))
                return
        await self.send_json(refusal.frame(**echo))

    async def refuse_for_rate(self, bucket: TokenBucket, frame: dict[str, Any] | None = None) -> None:
        """Drop the frame. Tell the client at most once a second; close a flood."""
        self.refused += 1
        if self.refused > policy.tunable("FLOOD_CLOSE_AFTER"):
            await self.close_with(
                Close.TOO_MANY, {"type": "error", "code": "flood", "message": "Too many frames; reconnect later."}
            )
            return
        now = time.monotonic()
        if now - self.last_refusal_sent >= 1 or frame is not None:
            self.last_refusal_sent = now
            refusal = ChatRefusedError(
                "rate_limited", "Slow down: that frame was not processed.", retry_after=bucket.retry_after()
            )
            echo = {"client_id": frame["client_id"]} if frame and isinstance(frame.get("client_id"), str) else {}
            await self.send_json(refusal.frame(**echo))

    async def send_json(self, frame: dict[str, Any]) -> None:
        if not self.open:
            return
        try:
            await self.send({"type": "websocket.send", "text": frame_encode(frame)})
        except OSError:
            # The client went away (the server says ClientDisconnected); the disconnect
            # event follows and cleans up. Nothing of the client's is lost: it resumes.
            self.open = False

    async def close_with(self, code: int, frame: dict[str, Any] | None = None) -> None:
        if not self.open:
            return
        if frame is not None:
            await self.send_json(frame)
        self.open = False
        await self.send({"type": "websocket.close", "code": code})

    async def close_silent(self) -> None:
        await self.close_with(
            Close.SILENT, {"type": "error", "code": "heartbeat_timeout", "message": "No heartbeat: closing."}
        )

    # ---- sessions, groups, heartbeats ----

    async def session_ok(self, frame: dict[str, Any]) -> bool:
        self.active_since_check |= frame["type"] not in _PASSIVE_FRAMES or frame.get("active") is True
        elapsed = time.monotonic() - self.session_checked_at
        if elapsed < policy.tunable("SESSION_RECHECK_SECONDS"):
            return True
        self.session_checked_at = time.monotonic()
        active, self.active_since_check = self.active_since_check, False
        if self.agent:
            valid = await db(session_still_valid)(
                scope=self.scope, session_id=self.session_id, agent=True, activity=active
            )
        else:
            valid = await _customer_sessions_valid((self.session_id, active))
        if not valid:
            await self.close_with(
                Close.NOT_SIGNED_IN,
                {
                    "type": "error",
                    "code": "session_ended",
                    "message": "You were signed out. Sign in again to continue.",
                },
            )
        return bool(valid)

    async def join(self, group: str) -> None:
        if group not in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.add(group)

    async def leave(self, group: str) -> None:
        if group in self.joined:
            self.joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def heartbeat(self) -> None:
        """On every ping: refresh group memberships (Redis expires them after a day) and
        catch up on anything the channel layer lost."""
        if time.monotonic() - self.groups_refreshed_at > GROUP_REFRESH_SECONDS:
            self.groups_refreshed_at = time.monotonic()
            for group in list(self.joined):
                await self.channel_layer.group_add(group, self.channel_name)
        if self.streams:
            latest = await db(last_seqs)(conversation_ids=list(self.streams))
            for conversation_id, stream in list(self.streams.items()):
                # Only what was committed by the previous heartbeat counts as lost: an item
                # committed a moment ago is normally on its way, and reading it again
                # for every busy conversation would hold this connection up (docs/chat.md).
                if stream.committed > stream.delivered:
                    await self.catch_up(stream)
                stream.committed = max(stream.committed, latest.get(conversation_id, 0))

    # ---- numbered items ----

    async def follow(self, conversation_id: str, *, after: int) -> Stream:
        """Deliver the conversation's items after ``after``, then live ones."""
        stream = self.streams.get(conversation_id)
        if stream is None:
            stream = self.streams[conversation_id] = Stream(conversation_id, delivered=after)
        else:
            stream.delivered, stream.held = after, {}
        await self.catch_up(stream)
        return stream

    def unfollow(self, conversation_id: str) -> None:
        self.streams.pop(conversation_id, None)

    async def catch_up(self, stream: Stream, upto: int | None = None) -> None:
        while True:
            frames = await db(items_after)(conversation_id=stream.conversation_id, after=stream.delivered, upto=upto)
            for frame in frames:
                await self.deliver(stream, frame["seq"], frame)
            if len(frames) < REPLAY_PAGE:
                break
        await self.release_held(stream)

    async def release_held(self, stream: Stream) -> None:
        while stream.delivered + 1 in stream.held:
            seq = stream.delivered + 1
            await self.deliver(stream, seq, stream.held.pop(seq))
        for seq in [seq for seq in stream.held if seq <= stream.delivered]:
            del stream.held[seq]

    async def deliver(self, stream: Stream, seq: int, frame: dict[str, Any]) -> None:
        if seq <= stream.delivered:
            return
        if seq == stream.delivered + 1:
            await self.send_json(frame)
            stream.delivered = seq
            return
        stream.held[seq] = frame

    async def chat_item(self, message: dict[str, Any]) -> None:
        stream = self.streams.get(message["conversation"])
        if stream is None:
            return
        self.on_item(message)
        seq = int(message["seq"])
        await self.deliver(stream, seq, message["frame"])
        if stream.held:
            await self.release_held(stream)
        if stream.held:
            await self.catch_up(stream, upto=min(stream.held) - 1)

    async def chat_signal(self, message: dict[str, Any]) -> None:
        frame = message["frame"]
        if await self.on_signal(frame):
            await self.send_json(frame)

    # ---- what each role fills in ----

    async def on_connect(self) -> None:
        raise NotImplementedError

    def on_item(self, message: dict[str, Any]) -> None:
        """Keep per-connection state that items change (the assigned agent)."""

    async def on_signal(self, frame: dict[str, Any]) -> bool:
        """Update state from a signal; return whether to pass it on to the client."""
        return True
