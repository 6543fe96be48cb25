from __future__ import annotations

from django.db import models

from connect_support.accounts.models import ApiKey


class IdempotentRequest(models.Model):
    """The first response to an ``Idempotency-Key``, replayed to retries for 24 hours.

    The key itself is kept only as a digest, and the stored response is encrypted with a
    key derived from the idempotency key, so the table alone reveals no client secret.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key_digest = models.CharField(max_length=64)
    request_digest = models.CharField(max_length=64)
    # Null while the first request is still being handled.
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.BinaryField(null=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key_digest"], name="unique_idempotency_key"),
        ]
        indexes = [models.Index(fields=["created"])]

    def __str__(self) -> str:
        return f"idempotent request {self.pk} of {self.api_key_id}"
