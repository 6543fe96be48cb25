"""What the cases app stores.

People are never deleted with their words: authors and assignees are ``SET_NULL`` and
their name and address are copied onto each message, so the history reads the same after
an agent or a person is removed.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models

from connect_support.accounts.ids import new_id
from connect_support.accounts.models import ConnectedAccount, Person

# Human case numbers start here, so that they never look like counts ("case #3").
CASE_NUMBER_OFFSET = 10_000


class CaseNumber(models.Model):
    """One row per case number handed out. The database's own counter makes numbers unique
    without a lock that every new case would queue on."""

    id = models.BigAutoField(primary_key=True)

    def __str__(self) -> str:
        return str(self.pk + CASE_NUMBER_OFFSET)


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Waiting for your reply"
        ON_HOLD = "on_hold", "On hold"
        SOLVED = "solved", "Solved"
        CLOSED = "closed", "Closed"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEB = "web", "Web form"
        CHAT = "chat", "Chat"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "case"), editable=False)
    number = models.BigIntegerField(unique=True)
    # Set only when the requester proved control of the account (signed in, or opened the
    # private link sent to the account's own email address).
    account = models.ForeignKey(ConnectedAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    # What an unauthenticated requester typed: shown to agents as unverified, never trusted.
    claimed_account_id = models.CharField(max_length=40, blank=True)
    requester_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requester_name = models.CharField(max_length=200, blank=True)
    requester_email = models.EmailField(max_length=254)
    topic = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Where the requester was when they asked: component, dialog, requirement, intervention,
    # the articles they read. Attached without asking them.
    source_context = models.JSONField(default=dict, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    tags = models.JSONField(default=list, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    # The local part suffix of the case's reply address: support+<reply_token>@MAIL_DOMAIN.
    reply_token = models.CharField(max_length=40, unique=True)
    # Bumped to revoke every private link sent so far.
    link_version = models.PositiveIntegerField(default=1)
    # The web form's one-time token: a double submit finds the case made by the first.
    form_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Optimistic locking: every change made from the console names the version it was made
    # against; a change against an older version is refused instead of overwriting.
    version = models.PositiveIntegerField(default=1)
    # Set when this case was merged: its thread is shown on, and new mail goes to, this one.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_cases"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["account", "-updated_at"], name="case_account_idx"),
            models.Index(fields=["requester_email", "-updated_at"], name="case_requester_idx"),
            models.Index(fields=["status", "-updated_at"], name="case_status_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_solved(self) -> bool:
        return self.status in {self.Status.SOLVED, self.Status.CLOSED}


class CaseMessage(models.Model):
    class Author(models.TextChoices):
        REQUESTER = "requester", "Requester"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"
        # Someone else writing to the case's reply address (a colleague in copy).
        PARTICIPANT = "participant", "Other participant"

    class Via(models.TextChoices):
        EMAIL = "email", "Email"
        WEB = "web", "Support site"
        CONSOLE = "console", "Console"
        SYSTEM = "system", "System"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "msg"), editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=12, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    author_email = models.CharField(max_length=254, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    internal = models.BooleanField(default=False)
    body_text = models.TextField(blank=True)
    # Sanitized (nh3) HTML of an inbound HTML mail; empty when the message was plain text.
    body_html = models.TextField(blank=True)
    # RFC 5322 Message-ID without angle brackets: what replies refer to.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    inbound = models.ForeignKey(
        "InboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_messages"
    )
    # What could not be kept (an attachment refused, quoted history removed), shown beside it.
    notes = models.JSONField(default=list, blank=True)
    # The console's one-time reply token: a double submit finds the message the first made.
    form_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The case's version this message produced (see Case.version).
    version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"], name="case_message_thread_idx")]
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.author_kind} message on {self.case_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.pk}/{filename}"


class Attachment(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "file"), editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    filename = models.CharField(max_length=200)
    # What the bytes are (sniffed), not what the sender said.
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.filename


class CaseChange(models.Model):
    """One field change: who, when, old → new. Written by the same services that change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=12, choices=CaseMessage.Author.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    field = models.CharField(max_length=40)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    # The case's version this change produced: what a stale edit lists as "changed since".
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="case_change_idx")]
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"


class OutboundEmail(models.Model):
    """A row of the transactional outbox: written in the transaction that changed the case,
    rendered there, and sent afterwards by jobs that retry with exponential backoff."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
        AGENT_REPLY = "agent_reply", "Agent reply"
        STATUS_CHANGE = "status_change", "Status change"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "out"), editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outbound_emails")
    case_message = models.ForeignKey(CaseMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to = models.CharField(max_length=254)
    from_email = models.CharField(max_length=320)
    reply_to = models.CharField(max_length=320)
    subject = models.CharField(max_length=400)
    text_body = models.TextField()
    html_body = models.TextField()
    # Message-ID (without brackets), In-Reply-To, References and other headers to send.
    message_id = models.CharField(max_length=255, unique=True)
    headers = models.JSONField(default=dict)
    attachment_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A sender holds the row until then; past it a crashed sender's row is taken again.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"


class InboundEmail(models.Model):
    """Every message received, stored raw before anything reads it."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received, not yet processed"
        PROCESSED = "processed", "Added to a case"
        IGNORED = "ignored", "Ignored (automatic mail)"
        QUARANTINED = "quarantined", "Quarantined"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "inmail"), editable=False)
    source = models.CharField(max_length=40)
    peer = models.CharField(max_length=100, blank=True)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    raw = models.BinaryField()
    size = models.PositiveBigIntegerField()
    # The raw bytes of handled mail are dropped after the retention period (tasks.py).
    raw_pruned = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64)
    # Read from the headers for the console's list; empty when they could not be read.
    message_id = models.CharField(max_length=255, blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-received_at"], name="inbound_status_idx"),
            models.Index(fields=["from_address", "-received_at"], name="inbound_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.id} from {self.from_address or self.envelope_from} ({self.status})"


class Macro(models.Model):
    """A saved reply. ``body`` is plain text with ``{{ placeholders }}`` filled in by
    ``cases.macros.macro_render``; a shared macro is offered to every agent, a personal one
    only to its owner."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "macro"), editable=False)
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=20_000)
    shared = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="macros"
    )
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("title", "id")

    def __str__(self) -> str:
        return self.title


class Deflection(models.Model):
    """Someone about to write to us said an article solved their problem."""

    at = models.DateTimeField(db_index=True)
    topic = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    # The article they pointed at, and the suggestions they had been shown.
    article_url = models.CharField(max_length=300, blank=True)
    suggested = models.JSONField(default=list, blank=True)
    account = models.ForeignKey(ConnectedAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_context = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"deflection at {self.at:%Y-%m-%d %H:%M}"
