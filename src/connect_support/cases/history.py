"""Who changed what on a case: actors, and the one function that changes fields and
records each change (old → new) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import F, Model
from django.utils import timezone

from connect_support.cases.models import Case, CaseChange, CaseMessage


@dataclass(frozen=True)
class CaseActor:
    """Who acts on a case. Agents carry their user; everyone else a label (an address)."""

    kind: str
    label: str
    user: User | None = None

    @classmethod
    def requester(cls, case: Case) -> CaseActor:
        return cls(kind=CaseMessage.Author.REQUESTER, label=case.requester_email)

    @classmethod
    def agent(cls, user: User) -> CaseActor:
        return cls(kind=CaseMessage.Author.AGENT, label=user.get_full_name() or user.get_username(), user=user)

    @classmethod
    def system(cls, label: str = "system") -> CaseActor:
        return cls(kind=CaseMessage.Author.SYSTEM, label=label)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def case_version_bump(*, case: Case) -> int:
    """Count one more change of the case (optimistic locking: an edit names the version it
    was made against). Called under the case's row lock; returns the new version."""
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    if "version" in case.get_deferred_fields():
        case.refresh_from_db(fields=["version"])
    else:
        case.version += 1
    return case.version


def case_change_fields(
    *, case: Case, actor: CaseActor, changes: dict[str, Any], at: datetime | None = None
) -> list[str]:
    """Set ``changes`` on ``case`` (not saved) and record one row per field that really
    changed. Returns the names of the changed fields; the caller saves them."""
    when = at or timezone.now()
    changed: list[str] = []
    rows: list[CaseChange] = []
    for field, new in changes.items():
        old = getattr(case, field)
        if old == new:
            continue
        setattr(case, field, new)
        changed.append(field)
        rows.append(
            CaseChange(
                case=case,
                at=when,
                actor_kind=actor.kind,
                actor_user=actor.user,
                actor_label=actor.label[:254],
                field=field.removesuffix("_id"),
                old=_shown(old)[:2000],
                new=_shown(new)[:2000],
            )
        )
    if rows:
        version = case_version_bump(case=case)
        for row in rows:
            row.version = version
        CaseChange.objects.bulk_create(rows)
    return changed
