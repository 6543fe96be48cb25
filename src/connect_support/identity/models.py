from __future__ import annotations

from django.conf import settings
from django.db import models


class TotpDevice(models.Model):
    """An agent's authenticator app: the shared secret and the last accepted time step.

    Keeping the last step makes each code usable once, even inside its 30-second window.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_step = models.BigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP device of {self.user_id}"
