"""Merging two cases about the same thing into one.

The merged case's messages and attachments move to the surviving case (the thread reads
as one conversation, in time order); its own history of field changes stays where it was
written and is shown beside the survivor's. The merged case is closed with a pointer to the
survivor, and mail to its reply address, or replying to any of its messages, is threaded
into the survivor (``cases.inbound.matching`` follows the pointer). Both histories record
the merge.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from connect_support.cases.editing import CaseEditError, CaseVersionConflictError, changes_since
from connect_support.cases.history import CaseActor, case_change_fields, case_version_bump
from connect_support.cases.models import Attachment, Case, CaseChange, CaseMessage


class CaseMergeError(CaseEditError):
    """The two cases cannot be merged; the message says why."""


def case_merge(*, source: Case, target: Case, agent: User, version: int) -> Case:
    """Merge ``source`` into ``target`` (the survivor). ``version`` is the source's version
    the agent saw. Returns the survivor."""
    if source.pk == target.pk:
        raise CaseMergeError("A case cannot be merged into itself.")
    actor = CaseActor.agent(agent)
    with transaction.atomic():
        # Both rows locked, always in the same order, so two crossed merges cannot deadlock.
        locked = {
            case.pk: case
            for case in Case.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
        }
        merged, survivor = locked[source.pk], locked[target.pk]
        if merged.merged_into_id is not None:
            raise CaseMergeError(f"Case #{merged.number} was already merged into another case.")
        if survivor.merged_into_id is not None:
            raise CaseMergeError(f"Case #{survivor.number} was itself merged into another case; merge into that one.")
        if survivor.is_closed:
            raise CaseMergeError(f"Case #{survivor.number} is closed; reopen it before merging into it.")
        if merged.account_id and survivor.account_id and merged.account_id != survivor.account_id:
            raise CaseMergeError("The two cases belong to different accounts; they cannot share a thread.")
        if merged.version != version:
            raise CaseVersionConflictError(
                case=merged, their_version=version, changes=changes_since(case=merged, version=version)
            )
        now = timezone.now()
        survivor_version = case_version_bump(case=survivor)
        moved = CaseMessage.objects.filter(case=merged).update(case=survivor, version=survivor_version)
        Attachment.objects.filter(case=merged).update(case=survivor)
        CaseChange.objects.create(
            case=survivor,
            at=now,
            actor_kind=actor.kind,
            actor_user=agent,
            actor_label=actor.label[:254],
            field="merged",
            old="",
            new=f"#{merged.number} ({moved} message{'' if moved == 1 else 's'})",
            version=survivor_version,
        )
        changes = {"merged_into": survivor, "status": Case.Status.CLOSED}
        changed = case_change_fields(case=merged, actor=actor, changes=changes, at=now)
        merged.updated_at = now
        merged.save(update_fields=[*changed, "updated_at"])
        survivor.updated_at = now
        survivor.save(update_fields=["updated_at"])
    return survivor


def merged_case_ids(*, case: Case) -> list[str]:
    """The ids of the cases merged into ``case`` (directly or through other merges)."""
    found: list[str] = []
    frontier = [case.pk]
    while frontier and len(found) < 1000:
        frontier = list(Case.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found
