from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models

from connect_support.accounts.ids import new_id
from connect_support.accounts.models import ConnectedAccount


class Intervention(models.Model):
    """A risk action on an account: what it does, why, and what the account must answer."""

    class Kind(models.TextChoices):
        PAUSE_PAYOUTS = "pause_payouts", "Payouts paused"
        PAUSE_CHARGES = "pause_charges", "Payments paused"
        SLOW_PAYOUTS = "slow_payouts", "Payouts slowed"
        RESERVE = "reserve", "Reserve on your balance"
        OFFBOARDING = "offboarding", "Account closing"

    class Cause(models.TextChoices):
        CREDIT = "credit", "Credit"
        FRAUD = "fraud", "Fraud"
        SUPPORTABILITY = "supportability", "Supportability"
        COMPLIANCE = "compliance", "Compliance"

    class Affects(models.TextChoices):
        PAYMENTS = "payments", "Payments"
        PAYOUTS = "payouts", "Payouts"
        BOTH = "both", "Payments and payouts"

    class Status(models.TextChoices):
        ACTION_REQUIRED = "action_required", "Action required"
        IN_REVIEW = "in_review", "In review"
        MORE_INFORMATION_REQUESTED = "more_information_requested", "More information requested"
        ESCALATED = "escalated", "Escalated"
        RESOLVED = "resolved", "Resolved"
        OFFBOARDED = "offboarded", "Offboarded"

    OPEN_STATUSES = (
        Status.ACTION_REQUIRED,
        Status.IN_REVIEW,
        Status.MORE_INFORMATION_REQUESTED,
        Status.ESCALATED,
    )

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "intv"), editable=False)
    account = models.ForeignKey(ConnectedAccount, on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    cause = models.CharField(max_length=20, choices=Cause.choices)
    affects = models.CharField(max_length=10, choices=Affects.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.ACTION_REQUIRED)
    # What the account reads: why, what to do. Plain text.
    message = models.TextField(blank=True)
    # Immediate interventions take effect when created; others when the deadline passes unanswered.
    immediate = models.BooleanField(default=False)
    deadline = models.DateTimeField(null=True, blank=True)
    effective = models.BooleanField(default=False)
    # Reserve: a fixed amount (minor units) or a percentage of volume, held until the release date.
    reserve_amount = models.PositiveBigIntegerField(null=True, blank=True)
    reserve_currency = models.CharField(max_length=3, blank=True)
    reserve_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    reserve_release_at = models.DateTimeField(null=True, blank=True)
    # The declarative form the account answers (see risk/form_schema.py).
    form = models.JSONField(default=list)
    # Account state changed by the effect that is not recomputed from requirements (payout delay).
    applied_state = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The operator API caller's own id for it: a create repeated with it returns this one.
    reference = models.CharField(max_length=100, blank=True)
    created_by_key = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "status"], name="intervention_account_idx"),
            models.Index(fields=["status", "updated_at"], name="intervention_queue_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""), name="intervention_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.kind}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class InterventionResponse(models.Model):
    """One submission of the intervention's form by the account."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "intvresp"), editable=False)
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="responses")
    answers = models.JSONField(default=dict)
    # Who answered: copied, so the record survives the person's removal.
    person_id = models.CharField(max_length=40, blank=True)
    person_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return f"{self.id} to {self.intervention_id}"


class InterventionFile(models.Model):
    """A document uploaded with a response; checked for size and type when received."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "file"), editable=False)
    response = models.ForeignKey(InterventionResponse, on_delete=models.PROTECT, related_name="files")
    field = models.CharField(max_length=80)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.filename} ({self.content_type})"


class InterventionDecision(models.Model):
    """A risk agent's decision (or the system's, when a deadline passes)."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Opened"
        RESOLVED = "resolved", "Resolved and lifted"
        MORE_INFORMATION = "more_information_requested", "More information requested"
        ESCALATED = "escalated", "Escalated"
        OFFBOARDED = "offboarded", "Offboarded"
        DEADLINE_PASSED = "deadline_passed", "Deadline passed, effect applied"

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    message = models.TextField(blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent_label = models.CharField(max_length=254, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} on {self.intervention_id}"


class RiskCaseLink(models.Model):
    """Routes a support case to the risk queue: an appeal or question about an intervention.
    Cases have no queue field, so the routing lives here."""

    case_id = models.CharField(max_length=40, unique=True)
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="case_links")
    queue = models.CharField(max_length=20, default="risk")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} → {self.intervention_id} ({self.queue})"


class AccountEmail(models.Model):
    """A co-branded email to an account: the per-account history and its outbox row.

    Written in the transaction that made the change, sent after commit by a job, retried
    with exponential backoff (the same outbox pattern as cases/delivery.py)."""

    class Category(models.TextChoices):
        ACCOUNT = "account", "Account"
        COMPLIANCE = "compliance", "Compliance"
        RISK = "risk", "Risk"
        TAX = "tax", "Tax"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "acctmail"), editable=False)
    account = models.ForeignKey(ConnectedAccount, on_delete=models.PROTECT, related_name="risk_emails")
    intervention = models.ForeignKey(
        Intervention, null=True, blank=True, on_delete=models.PROTECT, related_name="emails"
    )
    category = models.CharField(max_length=12, choices=Category.choices)
    template = models.CharField(max_length=40)
    to = models.CharField(max_length=254)
    from_email = models.CharField(max_length=320)
    subject = models.CharField(max_length=400)
    text_body = models.TextField()
    html_body = models.TextField()
    message_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the ESP reported after the hand-off (django-anymail tracking webhooks), when an
    # ESP is configured: delivered, bounced, complained, rejected, opened, clicked…
    esp_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    delivery = models.CharField(max_length=20, blank=True)
    delivery_detail = models.CharField(max_length=500, blank=True)
    delivery_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-created_at"], name="acctmail_account_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="acctmail_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.status})"


class OperatorKey(models.Model):
    """A key for the operator's risk API (``/operator/v1/…``), kept only as a SHA-256 digest
    and shown once. Made and revoked with ``connect-support manage operator_key``."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "opkey"), editable=False)
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (…{self.last4})"
