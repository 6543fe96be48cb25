from __future__ import annotations

import time
from functools import partial

from django.db import models

from connect_support.accounts.ids import new_id, new_secret
from connect_support.accounts.models import Platform


def _now_unix() -> int:
    return int(time.time())


class WebhookEndpoint(models.Model):
    """Where a platform wants events, in the shape of Stripe's webhook endpoint object."""

    class Status(models.TextChoices):
        ENABLED = "enabled"
        DISABLED = "disabled"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "we"), editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="webhook_endpoints")
    livemode = models.BooleanField(default=False)
    url = models.URLField(max_length=2000)
    enabled_events = models.JSONField(default=list)
    description = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENABLED)
    # Shown whole only in the create response, as Stripe does; kept to sign deliveries.
    secret = models.CharField(max_length=80, default=partial(new_secret, "whsec_"))
    api_version = models.CharField(max_length=40, blank=True)
    created = models.BigIntegerField(default=_now_unix)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.id} → {self.url}"


class Event(models.Model):
    """Something that happened to a platform's object, in Stripe's event shape."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "evt"), editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="events")
    livemode = models.BooleanField(default=False)
    type = models.CharField(max_length=80)
    account_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField()
    created = models.BigIntegerField(default=_now_unix)

    class Meta:
        indexes = [models.Index(fields=["platform", "-created"], name="event_platform_idx")]

    def __str__(self) -> str:
        return f"{self.id} {self.type}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: retried with exponential backoff for three days."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "whdel"), editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="whdelivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """The delivery log: every try with what the endpoint answered."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
