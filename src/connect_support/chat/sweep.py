"""What happens with time: idle chats warned then closed, unanswered customers offered an
email case, chats whose agent vanished sent back to the queue, and routing retried.

Every change is a conditional update on the row it changes, so that any number of web
processes can run the sweep at once (each runs it every ``CLOCK_SECONDS``): exactly one
of them wins each change and sends its notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connect_support.chat import policy
from connect_support.chat.availability import chat_settings_get
from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.events import conversation_groups, deliveries_send_on_commit, item_delivery
from connect_support.chat.items import notice_append
from connect_support.chat.models import OPEN_STATUSES, AgentParticipation, AgentStatus, Conversation
from connect_support.chat.routing import queue_drain, queue_publish
from connect_support.chat.services import conversation_end, unassigned_deliveries

logger = logging.getLogger(__name__)

BATCH = 200
# An agent whose workspace has been gone this long loses their chats to the queue.
AGENT_GONE_SECONDS = 120


@dataclass
class SweepReport:
    warned: int = 0
    closed_idle: int = 0
    offered_case: int = 0
    closed_unanswered: int = 0
    requeued: int = 0
    routed: int = 0


def _notice_once(
    *, conversation_id: str, marker: Q, update: dict[str, datetime], code: str, text: str, now: datetime
) -> bool:
    """Set a marker field and add a notice, unless another process already did."""
    with transaction.atomic():
        if not Conversation.objects.filter(marker, pk=conversation_id).update(**update):
            return False
        notice = notice_append(conversation_id=conversation_id, code=code, text=text, now=now)
        agent_id = Conversation.objects.filter(pk=conversation_id).values_list("agent_id", flat=True).first()
        groups = conversation_groups(conversation_id=conversation_id, agent_ids=[agent_id])
        deliveries_send_on_commit([item_delivery(item=notice, groups=groups, agent_id=agent_id)])
    return True


def _requeue(*, conversation_id: str, agent_id: int, now: datetime) -> bool:
    with transaction.atomic():
        conversation = Conversation.objects.filter(pk=conversation_id, agent_id=agent_id, status="active").first()
        if conversation is None:
            return False
        moved = Conversation.objects.filter(pk=conversation_id, agent_id=agent_id, status="active").update(
            agent=None, status=Conversation.Status.WAITING, queued_at=conversation.created_at
        )
        if not moved:
            return False
        AgentParticipation.objects.filter(
            conversation_id=conversation_id, agent_id=agent_id, left_at__isnull=True
        ).update(left_at=now, left_reason="disconnected")
        notice = notice_append(
            conversation_id=conversation_id,
            code="returned_to_queue",
            text="Your agent lost their connection. The next available agent will continue this chat.",
            now=now,
        )
        groups = conversation_groups(conversation_id=conversation_id, agent_ids=[agent_id])
        deliveries_send_on_commit(
            [
                item_delivery(item=notice, groups=groups, agent_id=None),
                *unassigned_deliveries(conversation_id=conversation_id, agent_id=agent_id, reason="disconnected"),
            ]
        )
    return True


def conversations_sweep(*, now: datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    settings_row = chat_settings_get()
    report = SweepReport()
    idle = timedelta(minutes=settings_row.idle_minutes)
    warn_before = min(timedelta(minutes=2), idle / 2)
    active = Conversation.objects.filter(status=Conversation.Status.ACTIVE)

    for conversation_id, last_activity in active.filter(
        last_activity_at__lte=now - idle + warn_before, last_activity_at__gt=now - idle, idle_warned_at__isnull=True
    ).values_list("id", "last_activity_at")[:BATCH]:
        minutes = max(1, round(warn_before.total_seconds() / 60))
        if _notice_once(
            conversation_id=conversation_id,
            marker=Q(idle_warned_at__isnull=True, last_activity_at=last_activity),
            update={"idle_warned_at": now},
            code="idle_warning",
            text=f"This chat will close in {minutes} minute{'s' if minutes != 1 else ''} unless someone writes.",
            now=now,
        ):
            report.warned += 1

    for conversation_id in active.filter(last_activity_at__lte=now - idle).values_list("id", flat=True)[:BATCH]:
        try:
            conversation_end(
                conversation_id=conversation_id,
                reason=Conversation.EndReason.IDLE,
                now=now,
                idle_minutes=settings_row.idle_minutes,
            )
            report.closed_idle += 1
        except ChatRefusedError:
            continue

    unanswered = Conversation.objects.filter(
        status__in=OPEN_STATUSES,
        first_agent_reply_at__isnull=True,
        case_offered_at__isnull=True,
        created_at__lte=now - timedelta(seconds=settings_row.no_answer_seconds),
    )
    for conversation_id in unanswered.values_list("id", flat=True)[:BATCH]:
        if _notice_once(
            conversation_id=conversation_id,
            marker=Q(case_offered_at__isnull=True, first_agent_reply_at__isnull=True, status__in=OPEN_STATUSES),
            update={"case_offered_at": now},
            code="case_offered",
            text=(
                "Sorry to keep you waiting. You can keep waiting, or turn this chat into an email case: "
                "we'll answer by email, with this conversation attached."
            ),
            now=now,
        ):
            report.offered_case += 1

    too_long = Conversation.objects.filter(
        status=Conversation.Status.WAITING, queued_at__lte=now - timedelta(minutes=settings_row.max_wait_minutes)
    )
    for conversation_id in too_long.values_list("id", flat=True)[:BATCH]:
        try:
            conversation_end(conversation_id=conversation_id, reason=Conversation.EndReason.NO_AGENT, now=now)
            report.closed_unanswered += 1
        except ChatRefusedError:
            continue

    gone_before = now - timedelta(seconds=AGENT_GONE_SECONDS)
    # Away and offline agents keep the chats they have; only a vanished workspace loses them.
    present = AgentStatus.objects.filter(connected_until__gt=gone_before)
    orphaned = active.exclude(agent_id__in=present.values("user_id")).exclude(agent__isnull=True)
    for conversation_id, agent_id in orphaned.values_list("id", "agent_id")[:BATCH]:
        if _requeue(conversation_id=conversation_id, agent_id=agent_id, now=now):
            report.requeued += 1

    report.routed = queue_drain(now=now)
    queue_publish(now=now, force=True)
    return report


def sweep_interval() -> float:
    return policy.tunable("CLOCK_SECONDS")
