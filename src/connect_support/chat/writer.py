"""Storing messages: the hot path, with group commit.

Every message is stored before it is acknowledged. Doing that one transaction per
message would cost a commit (and a thread hop) per message; instead each process has one
writer per event loop that takes every message waiting at that moment and stores them
in one transaction on its own thread, then resolves each sender's acknowledgement and
sends the events. Under load batches grow by themselves; when idle a message is stored
alone, at once.

Per conversation in a batch, one ``UPDATE … RETURNING`` takes the numbers (and checks
that the sender may still write there); one ``INSERT`` stores all the messages. A
message whose ``client_id`` is already stored (a resend after a lost acknowledgement) is
answered with the stored one and not stored twice. If another process stored the same
``client_id`` in between, the unique constraint stops the batch and the batch is retried
message by message.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.events import (
    Delivery,
    conversation_groups,
    deliveries_send,
    frame_delivery,
    frame_of,
    item_frame,
)
from connect_support.chat.models import OPEN_STATUSES, ChatAttachment, ChatMessage, Conversation
from connect_support.chat.threads import connections_tidy

logger = logging.getLogger(__name__)

MAX_BATCH = 256
_TABLE = Conversation._meta.db_table


@dataclass(frozen=True)
class MessageRequest:
    conversation_id: str
    author_kind: str
    author_name: str
    text: str
    client_id: str
    # Who may write: the customer's account, or the assigned agent.
    account_id: str | None = None
    agent_id: int | None = None
    attachment_ids: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.conversation_id, self.author_kind, self.client_id)


@dataclass(frozen=True)
class MessageStored:
    id: str
    seq: int
    at: datetime
    duplicate: bool
    frame: dict[str, Any] = field(repr=False)

    def ack(self) -> dict[str, Any]:
        return {
            "type": "ack",
            "conversation": self.frame["conversation"],
            "client_id": self.frame["client_id"],
            "id": self.id,
            "seq": self.seq,
            "at": self.frame["at"],
            "duplicate": self.duplicate,
        }


Outcome = MessageStored | ChatRefusedError


def _refusal_for(conversation_id: str, request: MessageRequest) -> ChatRefusedError:
    row = Conversation.objects.filter(pk=conversation_id).values("status", "account_id", "agent_id").first()
    if row is None or (request.account_id is not None and row["account_id"] != request.account_id):
        return ChatRefusedError("not_found", "There is no such chat.")
    if row["status"] not in OPEN_STATUSES:
        return ChatRefusedError("conversation_ended", "This chat has ended; start a new one to write again.")
    return ChatRefusedError("not_assigned", "This chat is no longer assigned to you.")


def _take_numbers(*, request: MessageRequest, count: int, now: datetime) -> tuple[int, int | None] | None:
    """Reserve ``count`` numbers if the sender may write; (last number, assigned agent)."""
    moment = connection.ops.adapt_datetimefield_value(now)
    if request.agent_id is not None:
        sql = (
            f"UPDATE {_TABLE} SET last_seq = last_seq + %s, last_activity_at = %s, idle_warned_at = NULL, "  # noqa: S608 (table from the model)
            "first_agent_reply_at = COALESCE(first_agent_reply_at, %s) "
            "WHERE id = %s AND status = 'active' AND agent_id = %s RETURNING last_seq, agent_id"
        )
        params: list[Any] = [count, moment, moment, request.conversation_id, request.agent_id]
    else:
        sql = (
            f"UPDATE {_TABLE} SET last_seq = last_seq + %s, last_activity_at = %s, idle_warned_at = NULL "  # noqa: S608
            "WHERE id = %s AND status IN ('waiting', 'active') AND account_id = %s RETURNING last_seq, agent_id"
        )
        params = [count, moment, request.conversation_id, request.account_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (int(row[0]), row[1]) if row is not None else None


Group = tuple[str, str, int | None, str | None]  # conversation, author kind, agent, account


def _take_many(
    *, wanted: list[tuple[Group, MessageRequest, int]], now: datetime
) -> dict[Group, tuple[int, int | None]]:
    """Reserve numbers for many conversations in one statement per side (customers, agents).
    Returns what was taken per group; a group missing from the answer may not write there."""
    taken: dict[Group, tuple[int, int | None]] = {}
    moment = connection.ops.adapt_datetimefield_value(now)
    for agent_side in (False, True):
        part = [entry for entry in wanted if (entry[1].agent_id is not None) == agent_side]
        ids = [entry[1].conversation_id for entry in part]
        if len(set(ids)) != len(ids):
            # The same chat twice on one side (someone writing into a chat that is not theirs):
            # one statement each, so that each is checked on its own.
            for group, request, count in part:
                single = _take_numbers(request=request, count=count, now=now)
                if single is not None:
                    taken[group] = single
            continue
        if not part:
            continue
        if connection.vendor == "postgresql":
            # Lock in id order, as every writer does: two batches never wait on each other in a cycle.
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"SELECT id FROM {_TABLE} WHERE id IN ({marks}) ORDER BY id FOR UPDATE", ids)  # noqa: S608
        case = " ".join(["WHEN %s THEN %s"] * len(part))
        marks = ", ".join(["%s"] * len(part))
        pairs = ", ".join(["(%s, %s)"] * len(part))
        params: list[Any] = [value for _group, request, count in part for value in (request.conversation_id, count)]
        # ``id IN (…)`` first: the rows are found by primary key (the pairs alone would
        # make SQLite walk every open conversation).
        if agent_side:
            sql = (
                f"UPDATE {_TABLE} SET last_seq = last_seq + CASE id {case} END, last_activity_at = %s, "  # noqa: S608
                "idle_warned_at = NULL, first_agent_reply_at = COALESCE(first_agent_reply_at, %s) "
                f"WHERE id IN ({marks}) AND status = 'active' AND (id, agent_id) IN (VALUES {pairs}) "
                "RETURNING id, last_seq, agent_id"
            )
            params += [moment, moment, *ids]
            params += [
                value for _group, request, _count in part for value in (request.conversation_id, request.agent_id)
            ]
        else:
            sql = (
                f"UPDATE {_TABLE} SET last_seq = last_seq + CASE id {case} END, last_activity_at = %s, "  # noqa: S608
                f"idle_warned_at = NULL WHERE id IN ({marks}) AND status IN ('waiting', 'active') "
                f"AND (id, account_id) IN (VALUES {pairs}) RETURNING id, last_seq, agent_id"
            )
            params += [moment, *ids]
            params += [
                value for _group, request, _count in part for value in (request.conversation_id, request.account_id)
            ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            answered = {row[0]: (int(row[1]), row[2]) for row in cursor.fetchall()}
        for group, request, _count in part:
            if request.conversation_id in answered:
                taken[group] = answered[request.conversation_id]
    return taken


_COLUMNS = ("id", "conversation_id", "seq", "kind", "author_kind", "author_user_id", "author_name", "code", "text",
            "data", "client_id", "created_at")  # fmt: skip
_INSERT = f"INSERT INTO {ChatMessage._meta.db_table} ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608 (names from the model)
_ROW_MARKS = f"({', '.join(['%s'] * len(_COLUMNS))})"


_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fast_item_id() -> str:
    """``cmsg_`` and 24 characters from 143 random bits, like ``accounts.ids.new_id``, from
    one read of the system's random source instead of one per character (the hot path)."""
    number = int.from_bytes(os.urandom(18), "big")
    chars = []
    for _ in range(24):
        number, digit = divmod(number, 62)
        chars.append(_ID_ALPHABET[digit])
    return "cmsg_" + "".join(chars)


class _Row:
    """A message about to be inserted (cheaper than a model instance)."""

    __slots__ = ("_frame", "data", "id", "request", "seq")

    def __init__(self, request: MessageRequest, seq: int, found: dict[str, dict[str, Any]]) -> None:
        self.request = request
        self.seq = seq
        self.id = fast_item_id()
        attachments = [
            {key: found[a][key] for key in ("id", "filename", "content_type", "size")} for a in request.attachment_ids
        ]
        self.data: dict[str, Any] = {"attachments": attachments} if attachments else {}
        self._frame: dict[str, Any] | None = None

    def frame(self, now: datetime) -> dict[str, Any]:
        if self._frame is None:
            request = self.request
            self._frame = frame_of(
                conversation_id=request.conversation_id,
                seq=self.seq,
                item_id=self.id,
                kind=ChatMessage.Kind.MESSAGE,
                code="",
                author_kind=request.author_kind,
                author_name=request.author_name[:200],
                text=request.text,
                data=self.data,
                client_id=request.client_id,
                at=now,
            )
        return self._frame


def _insert(rows: list[_Row], now: datetime) -> None:
    """One multi-row insert without building the ORM's per-object machinery (the hot path).

    One statement, not ``executemany``: SQLite's driver lets go of the GIL for every row it
    steps through, and under load each time it waits for the event loop to hand it back."""
    if not rows:
        return
    data_field = ChatMessage._meta.get_field("data")
    moment = connection.ops.adapt_datetimefield_value(now)
    kind = ChatMessage.Kind.MESSAGE.value
    params: list[Any] = []
    for row in rows:
        request = row.request
        params += (row.id, request.conversation_id, row.seq, kind, request.author_kind, request.agent_id,
                   request.author_name[:200], "", request.text, data_field.get_db_prep_save(row.data, connection),
                   request.client_id, moment)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_INSERT + ", ".join([_ROW_MARKS] * len(rows)), params)


def _attachments(requests: Sequence[MessageRequest]) -> dict[str, dict[str, Any]]:
    wanted = [attachment_id for request in requests for attachment_id in request.attachment_ids]
    if not wanted:
        return {}
    rows = ChatAttachment.objects.filter(pk__in=wanted, message__isnull=True).values(
        "id", "conversation_id", "uploaded_by_kind", "uploaded_by_user_id", "filename", "content_type", "size"
    )
    return {row["id"]: dict(row) for row in rows}


def _attachments_belong(request: MessageRequest, found: dict[str, dict[str, Any]]) -> bool:
    for attachment_id in request.attachment_ids:
        row = found.get(attachment_id)
        if row is None or row["conversation_id"] != request.conversation_id:
            return False
        if row["uploaded_by_kind"] != request.author_kind:
            return False
        if request.agent_id is not None and row["uploaded_by_user_id"] != request.agent_id:
            return False
    return True


def _stored_already(requests: Sequence[MessageRequest]) -> dict[tuple[str, str, str], ChatMessage]:
    keys = {request.key for request in requests}
    # All three columns and the index's condition: lookups in the unique index
    # (conversation, author kind, client id), not a walk through each conversation.
    stored = ChatMessage.objects.filter(
        conversation_id__in={key[0] for key in keys},
        author_kind__in={key[1] for key in keys},
        client_id__in={key[2] for key in keys},
    ).exclude(client_id="")
    return {(row.conversation_id, row.author_kind, row.client_id): row for row in stored}


def messages_store(
    *, requests: Sequence[MessageRequest], now: datetime, resends: bool = True
) -> tuple[list[Outcome], list[Delivery]]:
    """Store a batch in one transaction. Returns one outcome per request, in order, and
    the deliveries to send once the transaction has committed.

    With ``resends`` false the batch is not first looked up for messages stored already
    (the common case: a resend follows only a lost acknowledgement); if one was, the
    unique constraint stops the transaction and the caller tries again with the lookup."""
    outcomes: list[Outcome | None] = [None] * len(requests)
    deliveries: list[Delivery] = []
    with transaction.atomic():
        existing = _stored_already(requests) if resends else {}
        found = _attachments(requests)
        first_index: dict[tuple[str, str, str], int] = {}
        groups: dict[Group, list[int]] = {}
        for index, request in enumerate(requests):
            if request.key in existing:
                row = existing[request.key]
                outcomes[index] = MessageStored(row.pk, row.seq, row.created_at, True, item_frame(row))
            elif request.key in first_index:
                continue  # the same message twice in one batch: answered like the first
            elif not _attachments_belong(request, found):
                outcomes[index] = ChatRefusedError("bad_attachment", "An attachment is unknown or was already sent.")
            else:
                first_index[request.key] = index
                group = (request.conversation_id, request.author_kind, request.agent_id, request.account_id)
                groups.setdefault(group, []).append(index)
        rows: list[_Row] = []
        assigned_agent: dict[str, int | None] = {}
        ordered = sorted(groups, key=lambda key: (key[0], key[1]))
        taken = _take_many(wanted=[(key, requests[groups[key][0]], len(groups[key])) for key in ordered], now=now)
        for group_key in ordered:
            indexes = groups[group_key]
            if group_key not in taken:
                refusal = _refusal_for(group_key[0], requests[indexes[0]])
                for index in indexes:
                    outcomes[index] = refusal
                continue
            last, agent_id = taken[group_key]
            assigned_agent[group_key[0]] = agent_id
            for offset, index in enumerate(indexes):
                new = _Row(requests[index], last - len(indexes) + 1 + offset, found)
                rows.append(new)
                outcomes[index] = MessageStored(new.id, new.seq, now, False, new.frame(now))
        _insert(rows, now)
        for new in rows:
            if new.data:
                ChatAttachment.objects.filter(pk__in=new.request.attachment_ids).update(message_id=new.id)
        for new in sorted(rows, key=lambda r: (r.request.conversation_id, r.seq)):
            conversation_id = new.request.conversation_id
            agent_id = assigned_agent.get(conversation_id)
            groups_to = conversation_groups(conversation_id=conversation_id, agent_ids=[agent_id])
            deliveries.append(frame_delivery(frame=new.frame(now), groups=groups_to, agent_id=agent_id))
    for index, request in enumerate(requests):
        if outcomes[index] is None:
            outcomes[index] = outcomes[first_index[request.key]]
    return [outcome for outcome in outcomes if outcome is not None], deliveries


def _store_with_retry(
    requests: Sequence[MessageRequest], *, resends: bool = True
) -> tuple[list[Outcome], list[Delivery]]:
    now = timezone.now()
    if not resends:
        try:
            return messages_store(requests=requests, now=now, resends=False)
        except IntegrityError:
            pass  # a resend among them: the whole batch again, looked up this time
    try:
        return messages_store(requests=requests, now=now)
    except IntegrityError:
        if len(requests) == 1:
            # Stored by another process a moment ago: now it is found and answered as a duplicate.
            return messages_store(requests=requests, now=now)
    outcomes: list[Outcome] = []
    deliveries: list[Delivery] = []
    for request in requests:
        outcome, sent = _store_with_retry([request])
        outcomes.extend(outcome)
        deliveries.extend(sent)
    return outcomes, deliveries


def _store_batch(requests: Sequence[MessageRequest]) -> tuple[list[Outcome], list[Delivery]]:
    try:
        return _store_with_retry(requests, resends=False)
    except Exception:
        # A broken connection must not poison the next batch.
        connection.close()
        raise
    finally:
        connections_tidy()


class MessageWriter:
    """One per event loop: see the module docstring."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: list[tuple[MessageRequest, asyncio.Future[MessageStored]]] = []
        self._task: asyncio.Task[None] | None = None
        self._publishing: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer")
        self.batches = 0
        self.stored = 0

    async def store(self, request: MessageRequest) -> MessageStored:
        future: asyncio.Future[MessageStored] = self._loop.create_future()
        self._queue.append((request, future))
        if self._task is None or self._task.done():
            self._task = self._loop.create_task(self._run())
        return await future

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            await self._store(batch)

    async def _store(self, batch: list[tuple[MessageRequest, asyncio.Future[MessageStored]]]) -> None:
        requests = [request for request, _future in batch]
        try:
            outcomes, deliveries = await self._loop.run_in_executor(self._executor, _store_batch, requests)
        except Exception as error:
            logger.exception("chat messages not stored")
            refusal = ChatRefusedError("server_error", f"Not stored ({type(error).__name__}); send it again.")
            for _request, future in batch:
                if not future.done():
                    future.set_exception(refusal)
            return
        self.batches += 1
        self.stored += len(requests)
        for (_request, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, ChatRefusedError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        self._publish(deliveries)

    def _publish(self, deliveries: list[Delivery]) -> None:
        """Send after commit, batch after batch in order, without holding up the next batch."""
        previous = self._publishing

        async def publish() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            await deliveries_send(deliveries)

        self._publishing = self._loop.create_task(publish())


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, MessageWriter] = weakref.WeakKeyDictionary()


def message_writer() -> MessageWriter:
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = MessageWriter(loop)
    return writer
