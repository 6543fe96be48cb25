"""Background job of live chat: sending a transcript by email, retried with backoff while
the mail server is down (the conversation row records whether it went out)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from connect_support.chat.transcripts import transcript_send


def _send_transcript(conversation_id: str) -> bool:
    return transcript_send(conversation_id=conversation_id)


# huey's decorators are untyped; applying them as calls keeps the function above typed.
# 8 retries, 60 s apart, then the row keeps transcript_sent_at empty for an operator to see.
transcript_send_task = db_task(retries=8, retry_delay=60)(_send_transcript)


def transcript_send_later(conversation_id: str) -> None:
    transcript_send_task(conversation_id)
