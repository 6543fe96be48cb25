"""Writes of ratings. One rating per case and per chat: a second submit changes it while
the edit window is open (``CSAT_EDIT_HOURS``), and a repeat of the same answer changes
nothing, so double submits are harmless."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from connect_support.cases.models import Case
from connect_support.chat.models import Conversation
from connect_support.csat.models import MAX_COMMENT_CHARS, SCORES, Rating

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RatingInvalidError(Exception):
    """The answer cannot be stored as given; ``message`` says what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class RatingLockedError(Exception):
    """The rating was given longer ago than the edit window and is kept as it is."""


class ConversationNotEndedError(Exception):
    """A chat is rated once it has ended."""


@dataclass(frozen=True)
class RatingResult:
    rating: Rating
    created: bool
    changed: bool


def edit_window() -> timedelta:
    return timedelta(hours=int(getattr(settings, "CSAT_EDIT_HOURS", 7 * 24)))


def rating_clean(*, score: object, comment: object) -> tuple[int, str]:
    """A whole score from 1 to 5 (a number, or its digit from a form) and a plain-text comment."""
    value = 0
    if isinstance(score, int) and not isinstance(score, bool):
        value = score
    elif isinstance(score, str) and score.strip() in {str(n) for n in SCORES}:
        # ASCII digits only: int() would also read other scripts' digits.
        value = int(score.strip())
    if value not in SCORES:
        raise RatingInvalidError("score", "Choose a rating from 1 to 5.")
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        raise RatingInvalidError("comment", "The comment must be text.")
    text = _CONTROL.sub("", comment.replace("\r\n", "\n")).strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise RatingInvalidError("comment", f"Keep the comment under {MAX_COMMENT_CHARS} characters.")
    return value, text


def _rating_upsert(*, subject: dict[str, object], channel: str, topic: str, score: int, comment: str) -> RatingResult:
    now = timezone.now()
    with transaction.atomic():
        existing = Rating.objects.select_for_update().filter(**subject).first()
        if existing is None:
            try:
                with transaction.atomic():
                    created = Rating.objects.create(
                        **subject,
                        channel=channel,
                        topic=topic[:40],
                        score=score,
                        comment=comment,
                        created_at=now,
                        updated_at=now,
                    )
                return RatingResult(created, created=True, changed=True)
            except IntegrityError:
                # Two submits raced; the other one stored first. Treat this one as a change.
                existing = Rating.objects.select_for_update().get(**subject)
        if existing.score == score and existing.comment == comment:
            return RatingResult(existing, created=False, changed=False)
        if now - existing.created_at > edit_window():
            raise RatingLockedError("This rating can no longer be changed.")
        existing.score = score
        existing.comment = comment
        existing.updated_at = now
        existing.save(update_fields=["score", "comment", "updated_at"])
        return RatingResult(existing, created=False, changed=True)


def rating_submit_for_case(*, case: Case, score: object, comment: object) -> RatingResult:
    """Store (or change) the requester's rating of ``case``."""
    value, text = rating_clean(score=score, comment=comment)
    return _rating_upsert(
        subject={"case": case}, channel=Rating.Channel.CASE, topic=case.topic, score=value, comment=text
    )


def rating_submit_for_conversation(*, conversation: Conversation, score: object, comment: object) -> RatingResult:
    """Store (or change) the customer's rating of an ended chat."""
    value, text = rating_clean(score=score, comment=comment)
    if conversation.status != Conversation.Status.ENDED:
        raise ConversationNotEndedError("Rate the chat once it has ended.")
    return _rating_upsert(
        subject={"conversation": conversation},
        channel=Rating.Channel.CHAT,
        topic=conversation.topic,
        score=value,
        comment=text,
    )
