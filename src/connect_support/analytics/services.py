"""Writes of analytics: one counter increment, in a single UPDATE in the common case."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from connect_support.analytics.models import DailyCount
from connect_support.helpcenter.models import TOPIC_SLUGS


class UnknownCountError(ValueError):
    """The event kind or topic is not one we count."""


def daily_count_increment(*, kind: str, topic: str = "") -> None:
    """Add one to today's counter of ``kind`` for ``topic`` (a topic slug or empty)."""
    if kind not in DailyCount.Kind.values:
        raise UnknownCountError(f"unknown kind {kind!r}")
    if topic and topic not in TOPIC_SLUGS:
        raise UnknownCountError(f"unknown topic {topic!r}")
    day = timezone.now().date()
    lookup = {"day": day, "kind": kind, "topic": topic}
    if DailyCount.objects.filter(**lookup).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            DailyCount.objects.create(**lookup, count=1)
    except IntegrityError:
        # Another request created today's row first.
        DailyCount.objects.filter(**lookup).update(count=F("count") + 1)
