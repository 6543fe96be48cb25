"""What identity stores: authenticators, one-time codes, sign-in sessions, hand-offs, audit.

No secret is kept in a form that can be replayed: one-time codes, recovery codes and
hand-off tokens are stored as keyed digests; TOTP secrets are the one exception because
the server must compute the same codes as the agent's authenticator app.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models

from connect_support.accounts.ids import new_id
from connect_support.accounts.models import ConnectedAccount, Person


class TotpDevice(models.Model):
    """An agent's authenticator app: the shared secret and the last accepted time step.

    Keeping the last step makes each code usable once, even inside its 30-second window.
    An unconfirmed device is an enrollment in progress; only a confirmed one signs in.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_step = models.BigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"TOTP device of {self.user_id}"


class RecoveryCode(models.Model):
    """One single-use code that replaces a TOTP code when the phone is lost."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "digest"])]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class OtpChallenge(models.Model):
    """One attempt to prove control of a phone with a 6-digit code sent by SMS.

    A challenge started for an email or phone that matches no account is a decoy: it has
    no account, no SMS leaves, and it answers exactly like a real one so that nobody can
    learn which emails and phones exist.
    """

    class Purpose(models.TextChoices):
        SUPPORT_SITE = "support_site", "Support site sign-in"
        COMPONENT = "component", "Component authentication"

    class Delivery(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"
        NOT_SENT = "not_sent", "Not sent (decoy)"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "otp"), editable=False)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    account = models.ForeignKey(ConnectedAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The accounts a correct code signs into (a phone may represent several businesses).
    candidate_account_ids = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    masked_phone = models.CharField(max_length=16)
    code_digest = models.CharField(max_length=64)
    # Keyed digest of the phone (or, for an unknown email, the email) that send limits count.
    rate_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField()
    send_count = models.PositiveSmallIntegerField(default=1)
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    delivery_error = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return self.id

    @property
    def is_decoy(self) -> bool:
        return self.account_id is None


class SignInSession(models.Model):
    """A signed-in browser: an agent in the console or an account user on the support site.

    The Django session holds only this row's id. Keeping the row server-side is what makes
    the idle and absolute limits enforceable and "sign out everywhere" possible.
    """

    class Kind(models.TextChoices):
        AGENT = "agent", "Agent"
        SUPPORT = "support", "Account user"

    class Method(models.TextChoices):
        SMS = "sms", "SMS code"
        HANDOFF = "handoff", "Hand-off from a component"
        TOTP = "password+totp", "Password and TOTP"
        RECOVERY_CODE = "password+recovery", "Password and recovery code"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "sis"), editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    method = models.CharField(max_length=20, choices=Method.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="sign_in_sessions"
    )
    account = models.ForeignKey(ConnectedAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    # When the strongest factor was last proven; step-up checks read this.
    authenticated_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "revoked_at"]),
            models.Index(fields=["account", "person", "revoked_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return self.id


class HandoffToken(models.Model):
    """A 60-second, single-use ticket that signs the support site in from a component."""

    digest = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The account session that was authenticated (an id; identity does not import embedded).
    source = models.CharField(max_length=40, blank=True)
    authenticated_at = models.DateTimeField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"hand-off for {self.account_id}"


class AuditEvent(models.Model):
    """Who did what to whose access, and when. Rows outlive the users they mention."""

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied, not linked: the trail must survive the deletion of accounts and users.
    subject_label = models.CharField(max_length=254, blank=True)
    account_id = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["subject", "-at"]),
            models.Index(fields=["kind", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class OutboxSms(models.Model):
    """A text message kept by the dev ``outbox`` SMS backend for the console to show."""

    to = models.CharField(max_length=20)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"SMS to {self.to}"
