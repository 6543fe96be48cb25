"""What the SLA app stores: the policies, each case's timers, and the alerts sent when a
timer is breached. Case itself belongs to the cases app; its two due dates are kept in
step from here so that lists of cases can sort and filter on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from connect_support.cases.models import Case


class Timer(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class SlaPolicy(models.Model):
    """Targets in business minutes for one priority, on one channel or on any channel
    (``channel == ""``, the fallback every priority has)."""

    ANY_CHANNEL = ""

    priority = models.CharField(max_length=10, choices=Case.Priority.choices)
    channel = models.CharField(
        max_length=10, choices=[(ANY_CHANNEL, "Any channel"), *Case.Channel.choices], blank=True, default=ANY_CHANNEL
    )
    first_response_minutes = models.PositiveIntegerField()
    next_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    # Bumped on each edit: a form opened before someone else's save is refused, not applied.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["priority", "channel"], name="sla_policy_unique")]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} · {self.get_channel_display()}"


class CaseSla(models.Model):
    """The timers of one case. Targets are copied from the policy when the clocks start, so
    editing a policy changes cases opened afterwards, not promises already made.

    A timer runs while its due date is set and it is neither met nor breached; the
    resolution timer also stops while the case waits for the requester or is solved
    (``paused_at``, with the business time that was left); reopening adds the paused
    business time to the target."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_response_minutes = models.PositiveIntegerField()
    next_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    first_response_due_at = models.DateTimeField()
    first_response_met_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)

    # Set when the requester writes after an agent's reply; cleared by the next reply.
    next_response_started_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_breached_at = models.DateTimeField(null=True, blank=True)

    resolution_due_at = models.DateTimeField()
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_remaining_seconds = models.BigIntegerField(null=True, blank=True)
    # Business time spent waiting for the requester in earlier pauses: added to the target.
    paused_total_seconds = models.BigIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)

    escalations = models.PositiveSmallIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["first_response_due_at"], name="sla_first_due_idx"),
            models.Index(fields=["next_response_due_at"], name="sla_next_due_idx"),
            models.Index(fields=["resolution_due_at"], name="sla_resolution_due_idx"),
        ]

    def __str__(self) -> str:
        return f"SLA of {self.case_id}"


class SlaAlert(models.Model):
    """One breach told to one agent: shown in the console until read, and mailed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_alerts")
    # Addressed to one person and useless without them; the breach itself stays in the
    # case's history (CaseChange), which outlives the agent.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sla_alerts")
    timer = models.CharField(max_length=20, choices=Timer.choices)
    due_at = models.DateTimeField()
    breached_at = models.DateTimeField()
    priority_from = models.CharField(max_length=10, blank=True)
    priority_to = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # The mail is claimed with a lease so that two senders never send it together.
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_lease_until = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="sla_alert_inbox_idx"),
            models.Index(fields=["email_sent_at", "created_at"], name="sla_alert_unsent_idx"),
        ]
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.timer} breach on {self.case_id} for {self.recipient_id}"
