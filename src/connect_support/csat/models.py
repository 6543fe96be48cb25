"""What customer satisfaction stores: one rating per case and one per chat."""

from __future__ import annotations

from functools import partial

from django.db import models
from django.db.models import Q

from connect_support.accounts.ids import new_id

SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT_CHARS = 2000


class Rating(models.Model):
    class Channel(models.TextChoices):
        CASE = "case", "Email case"
        CHAT = "chat", "Chat"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "csat"), editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Exactly one of the two is set (see the constraint); a one-to-one keeps one rating each.
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="csat_rating"
    )
    conversation = models.OneToOneField(
        "chat.Conversation", null=True, blank=True, on_delete=models.CASCADE, related_name="csat_rating"
    )
    score = models.PositiveSmallIntegerField()
    # Plain text, shown escaped.
    comment = models.TextField(blank=True, max_length=MAX_COMMENT_CHARS)
    # Copied from the case or chat so that analytics filter without a join.
    topic = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="csat_score_range"),
            models.CheckConstraint(
                condition=(
                    Q(case__isnull=False, conversation__isnull=True) | Q(case__isnull=True, conversation__isnull=False)
                ),
                name="csat_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="csat_created_idx")]

    def __str__(self) -> str:
        return f"{self.score}/5 on {self.case_id or self.conversation_id}"
