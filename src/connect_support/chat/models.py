"""What live chat stores.

A conversation is a stream of items numbered 1, 2, 3… (``seq``): messages from either side
and the notices everyone sees (an agent joined, the chat ended). The number is handed out
by the conversation row itself (``last_seq``), under its row lock, so that items commit
in the order of their numbers; that is what lets a client resume from the last number it
saw and get the rest exactly once, in order. Typing and read receipts are not items.

People are never deleted with their words: agents are ``SET_NULL`` and their name is
copied onto each item, as in cases.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import Q

from connect_support.accounts.ids import new_id
from connect_support.accounts.models import ConnectedAccount, Person

OPEN_STATUSES = ("waiting", "active")


class Conversation(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for an agent"
        ACTIVE = "active", "With an agent"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        CUSTOMER = "customer", "Ended by the customer"
        AGENT = "agent", "Ended by the agent"
        IDLE = "idle", "Closed after a time without messages"
        NO_AGENT = "no_agent", "Closed: no agent answered"
        CONVERTED = "converted", "Turned into an email case"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "chat"), editable=False)
    account = models.ForeignKey(ConnectedAccount, on_delete=models.PROTECT, related_name="chats")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # "<account id>:<person id or ->": one open conversation per person and account.
    requester_key = models.CharField(max_length=90)
    requester_name = models.CharField(max_length=200, blank=True)
    requester_email = models.CharField(max_length=254, blank=True)
    topic = models.CharField(max_length=40, blank=True)
    # The start of the first message, for the queue and the case subject.
    first_message = models.CharField(max_length=500, blank=True)
    # Where the customer was when they asked (component, dialog, requirement, intervention,
    # the articles they read), attached without asking them.
    source_context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_chats"
    )
    last_seq = models.PositiveIntegerField(default=0)
    customer_read_seq = models.PositiveIntegerField(default=0)
    agent_read_seq = models.PositiveIntegerField(default=0)
    # The client id of the ``start`` frame: a repeated start finds this conversation.
    start_client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    # When it (last) joined the queue; a chat sent back to the queue keeps its place.
    queued_at = models.DateTimeField()
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_agent_reply_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField()
    idle_warned_at = models.DateTimeField(null=True, blank=True)
    case_offered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    transcript_requested_at = models.DateTimeField(null=True, blank=True)
    transcript_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["requester_key"], condition=Q(status__in=OPEN_STATUSES), name="chat_one_open_per_person"
            )
        ]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="chat_queue_idx"),
            models.Index(fields=["agent", "status"], name="chat_agent_load_idx"),
            models.Index(fields=["account", "-created_at"], name="chat_account_idx"),
            models.Index(fields=["status", "last_activity_at"], name="chat_activity_idx"),
        ]

    def __str__(self) -> str:
        return self.id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ChatMessage(models.Model):
    """One numbered item of a conversation: a message, or a notice everyone sees."""

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        NOTICE = "notice", "Notice"

    class Author(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "cmsg"), editable=False)
    # No index of its own: the unique (conversation, seq) serves lookups by conversation,
    # and one index less is one B-tree less to write for every message.
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="items", db_index=False)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    # Notices: what happened (agent_joined, ended, …); see docs/chat-protocol.md.
    code = models.CharField(max_length=30, blank=True)
    # Plain text; every client renders it as text, never as HTML.
    text = models.TextField(blank=True)
    # Attachments of a message, details of a notice.
    data = models.JSONField(default=dict, blank=True)
    # The sender's id for the message: a resend after a lost acknowledgement finds the
    # stored message instead of storing it twice.
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_item_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "author_kind", "client_id"],
                condition=~Q(client_id=""),
                name="chat_item_client_id_unique",
            ),
        ]
        ordering = ("conversation", "seq")

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


def _attachment_path(instance: ChatAttachment, filename: str) -> str:
    return f"chat/{instance.conversation_id}/{instance.pk}/{filename}"


class ChatAttachment(models.Model):
    """A file uploaded into a conversation, checked by the same rules as case attachments."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "file"), editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="attachments")
    # Set when the message that carries it is stored; a file is sent at most once.
    message = models.ForeignKey(ChatMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_by_kind = models.CharField(max_length=10, choices=ChatMessage.Author.choices)
    uploaded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.filename


class AgentParticipation(models.Model):
    """An agent's time in a conversation: who answered, who transferred to whom."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participations")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    agent_name = models.CharField(max_length=200)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    left_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agent", "-joined_at"], name="chat_participation_idx")]

    def __str__(self) -> str:
        return f"{self.agent_name} in {self.conversation_id}"


class AgentStatus(models.Model):
    """What an agent told us (online, away, offline; how many chats at once) and whether a
    console with the chat workspace is connected (refreshed by its heartbeats)."""

    class Status(models.TextChoices):
        ONLINE = "online", "Online"
        AWAY = "away", "Away"
        OFFLINE = "offline", "Offline"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_status")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFLINE)
    capacity = models.PositiveSmallIntegerField(default=3)
    # A workspace is open until then; every heartbeat pushes it forward.
    connected_until = models.DateTimeField(null=True, blank=True)
    # Ties between equally loaded agents go to whoever got a chat least recently.
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "connected_until"], name="chat_agent_online_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status} ({self.capacity})"


class ChatSettings(models.Model):
    """The operator's chat settings: one row, edited in the console."""

    class Routing(models.TextChoices):
        AUTO = "auto", "Automatic: the least busy available agent"
        MANUAL = "manual", "Agents pick chats from the queue"

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    enabled = models.BooleanField(default=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # {"0": [["09:00", "17:00"]], …, "6": []}: Monday is "0"; "24:00" ends a day.
    weekly_hours = models.JSONField(default=dict, blank=True)
    routing = models.CharField(max_length=10, choices=Routing.choices, default=Routing.AUTO)
    idle_minutes = models.PositiveSmallIntegerField(default=15)
    no_answer_seconds = models.PositiveIntegerField(default=180)
    max_wait_minutes = models.PositiveSmallIntegerField(default=30)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "Chat settings"


class ChatHoliday(models.Model):
    """A day (in the settings' time zone) on which chat is closed all day."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ("date",)

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"
