"""Keeping the inbox current: the search index follows every case and message write, and
open inboxes hear "something changed" over a WebSocket.

Receivers on ``Case`` and ``CaseMessage`` update the case's search entry inside the
transaction of the write, and after commit tell the ``console.inbox`` group. A new chat
(``Conversation`` created) does the same; chats leaving the queue are heard from chat's
own queue group. Events carry no customer data, only what kind of thing changed: each
browser fetches the inbox again through its own signed-in HTTP session, where the
permissions apply. See docs/console.md for the frames.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import path

from connect_support.cases.models import Case, CaseMessage
from connect_support.chat.auth import request_for
from connect_support.chat.events import QUEUE_GROUP, agent_group
from connect_support.chat.models import Conversation
from connect_support.console.inbox_search import (
    search_entry_case_saved,
    search_entry_message_added,
    search_entry_rebuild,
)
from connect_support.identity.access import agent_can
from connect_support.identity.selectors import agent_user
from connect_support.metrics import WEBSOCKETS

logger = logging.getLogger(__name__)

INBOX_GROUP = "console.inbox"
# Many changes in a burst (a mail import, a busy hour) reach each browser as one event.
COALESCE_SECONDS = 0.5
MAX_FRAME_CHARS = 1000
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403

# The event loop serving WebSockets in this process. The in-memory channel layer of the
# embedded mode must be called on that loop: a send from another thread (a job worker,
# a test) is handed to it instead of running on a loop of its own.
_serving_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _remember_serving_loop() -> None:
    global _serving_loop  # noqa: PLW0603 (one loop per process, set by the first connection)
    with _loop_lock:
        _serving_loop = asyncio.get_running_loop()


def inbox_event_send(*, kind: str) -> None:
    """Tell every open inbox that something of ``kind`` ("case", "chat") changed, now."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "inbox.changed", "kind": kind}
    loop = _serving_loop
    try:
        if loop is not None and loop.is_running():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                loop.create_task(layer.group_send(INBOX_GROUP, message))
            else:
                asyncio.run_coroutine_threadsafe(layer.group_send(INBOX_GROUP, message), loop)
            return
        async_to_sync(layer.group_send)(INBOX_GROUP, message)
    except Exception as error:  # the write stands; inboxes catch up on their next refresh
        logger.warning("inbox event not sent: %s", error.__class__.__name__, exc_info=error)


class _InboxEventAfterCommit:
    """One callback per transaction, however many rows it writes: later writes add their
    kind to the callback already waiting for the commit."""

    def __init__(self, kind: str) -> None:
        self.kinds = {kind}

    def __call__(self) -> None:
        for kind in sorted(self.kinds):
            inbox_event_send(kind=kind)


def inbox_event_on_commit(*, kind: str) -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # A callback of a savepoint rolled back is gone from this list, so a write after
        # the rollback registers a new one.
        for _savepoints, callback, *_robust in connection.run_on_commit:
            if isinstance(callback, _InboxEventAfterCommit):
                callback.kinds.add(kind)
                return
    transaction.on_commit(_InboxEventAfterCommit(kind))


@receiver(post_save, sender=Case, dispatch_uid="console.inbox.case_saved")
def _case_saved(sender: type[Case], instance: Case, created: bool, update_fields: Any = None, **_: Any) -> None:
    search_entry_case_saved(case=instance, created=created, update_fields=update_fields)
    inbox_event_on_commit(kind="case")


@receiver(post_save, sender=CaseMessage, dispatch_uid="console.inbox.message_saved")
def _message_saved(sender: type[CaseMessage], instance: CaseMessage, created: bool, **_: Any) -> None:
    if created:
        search_entry_message_added(message=instance)
    else:
        search_entry_rebuild(case_id=instance.case_id)
    inbox_event_on_commit(kind="case")


@receiver(post_delete, sender=CaseMessage, dispatch_uid="console.inbox.message_deleted")
def _message_deleted(sender: type[CaseMessage], instance: CaseMessage, **_: Any) -> None:
    search_entry_rebuild(case_id=instance.case_id, create=False)
    inbox_event_on_commit(kind="case")


@receiver(post_delete, sender=Case, dispatch_uid="console.inbox.case_deleted")
def _case_deleted(sender: type[Case], instance: Case, **_: Any) -> None:
    inbox_event_on_commit(kind="case")


@receiver(post_save, sender=Conversation, dispatch_uid="console.inbox.chat_saved")
def _chat_saved(sender: type[Conversation], instance: Conversation, **_: Any) -> None:
    inbox_event_on_commit(kind="chat")


def inbox_listener(scope: dict[str, Any]) -> tuple[int, bool] | None:
    """(user id, may work chats) of the signed-in agent of a handshake; None otherwise.
    Raises PermissionError for an agent without the console."""
    request = request_for(scope)
    agent = agent_user(request) if request is not None else None
    if agent is None:
        return None
    if not agent_can(actor=agent.actor, permission="console.use"):
        raise PermissionError("console.use")
    return agent.user.pk, agent_can(actor=agent.actor, permission="chats.work")


class InboxConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """``/console/inbox/ws``: "changed" events for one open inbox."""

    async def connect(self) -> None:
        try:
            listener = await database_sync_to_async(inbox_listener)(self.scope)
        except PermissionError:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if listener is None:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        user_id, chats = listener
        _remember_serving_loop()
        self.kinds: set[str] = set()
        self.flush: asyncio.Task[None] | None = None
        self.joined = [INBOX_GROUP, *([QUEUE_GROUP, agent_group(user_id)] if chats else [])]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.counted = True
        WEBSOCKETS.labels("inbox").inc()
        await self.send_json({"type": "hello", "coalesce": COALESCE_SECONDS})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            self.counted = False
            WEBSOCKETS.labels("inbox").dec()
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        flush = getattr(self, "flush", None)
        if flush is not None:
            flush.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.send_json({"type": "error", "code": "bad_frame", "message": "Frames are short JSON text."})
            return
        await super().receive(text_data=text_data, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "code": "bad_frame", "message": 'Only {"type": "ping"} is read.'})

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    def _note(self, kind: str) -> None:
        self.kinds.add(kind)
        if self.flush is None or self.flush.done():
            self.flush = asyncio.ensure_future(self._send_later())

    async def _send_later(self) -> None:
        await asyncio.sleep(COALESCE_SECONDS)
        kinds, self.kinds = sorted(self.kinds), set()
        await self.send_json({"type": "changed", "kinds": kinds})

    async def inbox_changed(self, message: dict[str, Any]) -> None:
        self._note(str(message.get("kind") or "case"))

    async def chat_signal(self, message: dict[str, Any]) -> None:
        # The chat queue changed (a chat was taken, or left waiting).
        if (message.get("frame") or {}).get("type") == "queue":
            self._note("chat")

    async def chat_item(self, message: dict[str, Any]) -> None:
        # Notices (joined, transferred, ended) change this agent's chats; messages do not.
        if (message.get("frame") or {}).get("kind") == "notice":
            self._note("chat")


# Mounted by connect_support.asgi.
websocket_urlpatterns = [path("console/inbox/ws", InboxConsumer.as_asgi())]
