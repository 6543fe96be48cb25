"""Background jobs of identity: redelivering codes whose text failed, pruning old rows."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from connect_support.identity.challenges import challenge_redeliver
from connect_support.identity.models import HandoffToken, OtpChallenge, SignInSession


def _redeliver(challenge_id: str) -> bool:
    """Retried by huey while the provider fails transiently (each try sends a fresh code)."""
    return challenge_redeliver(challenge_id=challenge_id)


def _prune() -> None:
    """Expired challenges, hand-offs and sessions are useless after a day. Safe to run on
    several machines at once: each run deletes what is expired, nothing else."""
    cutoff = timezone.now() - timedelta(days=1)
    OtpChallenge.objects.filter(expires_at__lt=cutoff).delete()
    HandoffToken.objects.filter(expires_at__lt=cutoff).delete()
    SignInSession.objects.filter(expires_at__lt=cutoff - timedelta(days=29)).delete()


# huey's decorators are untyped; applying them as calls keeps the functions above typed.
challenge_redeliver_task = db_task(retries=4, retry_delay=15)(_redeliver)
identity_prune_task = db_periodic_task(crontab(minute="17"))(_prune)
