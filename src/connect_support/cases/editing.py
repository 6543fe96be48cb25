"""Changes agents make to a case from the console, under optimistic locking.

Every form names the case version it was made against. The case row is locked, the version
compared, and only then are the existing services called: a stale edit is refused with the
list of what changed since, so two agents editing at once never overwrite each other
silently. A reply carries a one-time token as well, so a double submit makes one message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from connect_support.cases.history import CaseActor
from connect_support.cases.models import Case, CaseChange, CaseMessage
from connect_support.cases.services import IncomingFile, case_reply_as_agent, case_set_status, case_update_fields

MAX_TAGS = 20


class CaseEditError(Exception):
    """An edit that cannot be made as given; the message says why."""


@dataclass(frozen=True)
class ChangeSeen:
    """One thing that happened on the case since the agent's version, as shown to them."""

    who: str
    what: str


@dataclass
class CaseVersionConflictError(Exception):
    """The case changed since the agent loaded it (their version is older)."""

    case: Case
    their_version: int
    changes: list[ChangeSeen] = field(default_factory=list)

    def __str__(self) -> str:
        return f"case #{self.case.number} is at version {self.case.version}, the edit was made on {self.their_version}"


_FIELD_LABELS = {
    "status": "Status",
    "priority": "Priority",
    "assignee": "Assignee",
    "tags": "Tags",
    "topic": "Topic",
    "account": "Account",
    "merged_into": "Merged into",
    "merged": "Merged",
}


def changes_since(*, case: Case, version: int, limit: int = 50) -> list[ChangeSeen]:
    """Messages added and fields changed after ``version``, in the order they happened."""
    rows: list[tuple[int, int, ChangeSeen]] = []
    for message in CaseMessage.objects.filter(case=case, version__gt=version).order_by("created_at", "id")[:limit]:
        kind = "Internal note" if message.internal else f"New {message.get_author_kind_display().lower()} message"
        seen = ChangeSeen(who=message.author_name or message.author_email, what=kind)
        rows.append((message.version or 0, 0, seen))
    # Bookkeeping fields (first response and solve times) follow from the rows shown.
    changes = CaseChange.objects.filter(case=case, version__gt=version, field__in=_FIELD_LABELS).order_by("at", "id")
    for order, change in enumerate(changes[:limit], start=1):
        label = _FIELD_LABELS[change.field]
        seen = ChangeSeen(who=change.actor_label, what=f"{label}: {change.old or '—'} → {change.new or '—'}")
        rows.append((change.version or 0, order, seen))
    return [seen for _version, _order, seen in sorted(rows, key=lambda row: (row[0], row[1]))]


def _lock_checked(*, case: Case, version: int) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.merged_into_id is not None:
        raise CaseEditError("This case was merged into another case; work on that case instead.")
    if locked.version != version:
        raise CaseVersionConflictError(
            case=locked, their_version=version, changes=changes_since(case=locked, version=version)
        )
    return locked


def _clean_tags(raw: str) -> list[str]:
    tags = sorted({tag.strip().lower()[:40] for tag in raw.replace(";", ",").split(",") if tag.strip()})
    if len(tags) > MAX_TAGS:
        raise CaseEditError(f"A case takes at most {MAX_TAGS} tags.")
    return tags


def case_edit(
    *,
    case: Case,
    agent: User,
    version: int,
    status: str,
    priority: str,
    assignee: User | None,
    tags: str,
    base_url: str | None = None,
) -> Case:
    """Status, priority, assignee and tags in one step, against the version the agent saw."""
    if status not in Case.Status.values:
        raise CaseEditError("Choose a status from the list.")
    if priority not in Case.Priority.values:
        raise CaseEditError("Choose a priority from the list.")
    tag_list = _clean_tags(tags)
    actor = CaseActor.agent(agent)
    with transaction.atomic():
        locked = _lock_checked(case=case, version=version)
        case_update_fields(
            case=locked,
            actor=actor,
            assignee=assignee,
            unassign=assignee is None,
            priority=priority,
            tags=tag_list,
        )
        case_set_status(case=locked, status=status, actor=actor, base_url=base_url)
    case.refresh_from_db()
    return case


def case_reply(
    *,
    case: Case,
    agent: User,
    version: int,
    body_text: str,
    internal: bool,
    status: str | None,
    form_token: str,
    files: Sequence[IncomingFile] = (),
    base_url: str | None = None,
) -> CaseMessage:
    """A reply (mailed) or an internal note, checked against the version the agent saw. The
    same ``form_token`` twice returns the first message, even when the version moved on."""
    if not body_text.strip() and not files:
        raise CaseEditError("Write a message first.")
    if status is not None and status not in Case.Status.values:
        raise CaseEditError("Choose a status from the list.")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if form_token:
            existing = CaseMessage.objects.filter(form_token=form_token, case=locked).first()
            if existing is not None:
                return existing
        locked = _lock_checked(case=locked, version=version)
        created = case_reply_as_agent(
            case=locked,
            agent=agent,
            body_text=body_text,
            files=files,
            internal=internal,
            status=status,
            base_url=base_url,
            form_token=form_token or None,
        )
    case.refresh_from_db()
    return created
