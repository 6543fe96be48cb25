"""What analytics stores itself: aggregated daily counts, never one row per visitor."""

from __future__ import annotations

from django.db import models


class DailyCount(models.Model):
    """How many times something happened on the support site on one day (UTC), per topic."""

    class Kind(models.TextChoices):
        SEARCH = "search", "Searches"
        ARTICLE_VIEW = "article_view", "Article views"

    day = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A topic slug, or empty when the event has none (a search).
    topic = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind", "topic"], name="analytics_daily_count_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.topic or '-'}: {self.count}"
