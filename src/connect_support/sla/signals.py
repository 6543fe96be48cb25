"""Where the case timers hear about cases: ``post_save`` of ``Case`` and ``CaseMessage``.

The cases app knows nothing of SLAs; its services save the case with ``update_fields``
naming what changed, and create each message, inside their transaction. These receivers
run in that transaction, so a reply and the timers it stops commit together."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from connect_support.cases.models import Case, CaseMessage
from connect_support.sla import services


@receiver(post_save, sender=Case, dispatch_uid="sla_case_saved")
def _case_saved(sender: type[Case], instance: Case, created: bool, update_fields: Any = None, **_: Any) -> None:
    if kwargs_raw(_):
        return
    if created:
        services.sla_start(case=instance)
        return
    # A save without ``update_fields`` (the admin site) may have changed anything; the status
    # is applied again, which is harmless when it did not change.
    fields = set(update_fields) if update_fields is not None else {"status"}
    if "priority" in fields:
        services.sla_priority_changed(case=instance)
    if "status" in fields:
        services.sla_status_changed(case_id=instance.pk, status=instance.status, at=instance.updated_at)


@receiver(post_save, sender=CaseMessage, dispatch_uid="sla_message_saved")
def _message_saved(sender: type[CaseMessage], instance: CaseMessage, created: bool, **_: Any) -> None:
    if not created or kwargs_raw(_):
        return
    if instance.author_kind == CaseMessage.Author.AGENT and not instance.internal:
        services.sla_agent_replied(case_id=instance.case_id, at=instance.created_at)
    elif instance.author_kind == CaseMessage.Author.REQUESTER:
        services.sla_requester_wrote(case_id=instance.case_id, at=instance.created_at)


def kwargs_raw(extra: dict[str, Any]) -> bool:
    """Fixtures loaded with ``loaddata`` (``raw``) are stored as they are."""
    return bool(extra.get("raw"))
