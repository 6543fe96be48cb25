"""Numbering and appending the items of a conversation.

A number is taken with one ``UPDATE … SET last_seq = last_seq + n … RETURNING`` on the
conversation row. The row stays locked until the transaction commits, so a second writer
of the same conversation (another process, another thread) waits and takes the next
number: numbers commit in order, and a reader that sees number N can find every number
below it. SQLite serializes writers altogether, which gives the same guarantee.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from connect_support.chat.models import ChatMessage, Conversation

_TABLE = Conversation._meta.db_table


def seq_reserve(*, conversation_id: str, count: int = 1) -> int:
    """Reserve ``count`` numbers and return the first (the row stays locked until commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET last_seq = last_seq + %s WHERE id = %s RETURNING last_seq",  # noqa: S608 (table name from the model)
            [count, conversation_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Conversation.DoesNotExist(conversation_id)
    return int(row[0]) - count + 1


def item_append(
    *,
    conversation_id: str,
    kind: str,
    author_kind: str,
    now: datetime,
    code: str = "",
    text: str = "",
    data: dict[str, Any] | None = None,
    author_user_id: int | None = None,
    author_name: str = "",
    client_id: str = "",
) -> ChatMessage:
    seq = seq_reserve(conversation_id=conversation_id)
    return ChatMessage.objects.create(
        conversation_id=conversation_id,
        seq=seq,
        kind=kind,
        author_kind=author_kind,
        author_user_id=author_user_id,
        author_name=author_name[:200],
        code=code,
        text=text,
        data=data or {},
        client_id=client_id,
        created_at=now,
    )


def notice_append(
    *, conversation_id: str, code: str, text: str, now: datetime, data: dict[str, Any] | None = None
) -> ChatMessage:
    """A notice everyone in the conversation sees, numbered like messages."""
    return item_append(
        conversation_id=conversation_id,
        kind=ChatMessage.Kind.NOTICE,
        author_kind=ChatMessage.Author.SYSTEM,
        now=now,
        code=code,
        text=text,
        data=data,
    )
