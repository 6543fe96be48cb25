"""Reads of ratings."""

from __future__ import annotations

from connect_support.cases.models import Case
from connect_support.chat.models import Conversation
from connect_support.csat.models import Rating


def csat_for_case(case: Case | str) -> Rating | None:
    """The requester's rating of a case (a case or its id), or None if not rated."""
    case_id = case if isinstance(case, str) else case.pk
    return Rating.objects.filter(case_id=case_id).first()


def csat_for_conversation(conversation: Conversation | str) -> Rating | None:
    conversation_id = conversation if isinstance(conversation, str) else conversation.pk
    return Rating.objects.filter(conversation_id=conversation_id).first()
