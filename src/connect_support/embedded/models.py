from __future__ import annotations

from functools import partial

from django.db import models

from connect_support.accounts.ids import new_id
from connect_support.accounts.models import ConnectedAccount, Platform


class AccountSession(models.Model):
    """Lets one page view of a platform render components for one account.

    The client secret is kept only as a SHA-256 digest; the first page that boots with it
    claims the session, after which the secret is worthless.
    """

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "accs"), editable=False)
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="sessions")
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="account_sessions")
    livemode = models.BooleanField(default=False)
    secret_digest = models.CharField(max_length=64, unique=True)
    components = models.JSONField(default=dict)
    created = models.BigIntegerField()
    expires_at = models.BigIntegerField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set when the account's representative proves the phone in the authentication popup;
    # sensitive component actions need this to be recent (see ``embedded.claims``).
    authenticated_at = models.DateTimeField(null=True, blank=True)
    authenticated_person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return self.id
