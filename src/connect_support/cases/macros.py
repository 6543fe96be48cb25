"""Macros: saved replies with placeholders, and how they are filled in.

A macro's body is plain text. Placeholders are written ``{{ name }}`` and replaced by an
explicit table of values in one pass: no template engine ever sees the text, so nothing a
requester typed (their name, the subject) can run or expand further. A placeholder that is
not in the table, or whose value is not known for this case, is left as written and reported,
so the agent sees it in the reply box and fills it in by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q, QuerySet

from connect_support.cases.models import Case, Macro

if TYPE_CHECKING:
    from connect_support.chat.models import Conversation

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")

# Every placeholder a macro may use, with what it stands for (shown on the macros page).
PLACEHOLDERS: dict[str, str] = {
    "requester.name": "The requester's full name",
    "requester.first_name": "The requester's first name",
    "requester.email": "The requester's email address",
    "case.number": "The case number",
    "case.subject": "The case subject",
    "agent.name": "Your name",
    "account.id": "The connected account's id",
    "account.business_name": "The connected account's business name",
    "platform.name": "The platform's name",
}

TITLE_MAX = 120
BODY_MAX = 20_000


class MacroError(Exception):
    """A macro that cannot be saved as given; the message says why."""


class MacroPermissionError(Exception):
    """The agent may not change this macro (someone else's personal macro)."""


@dataclass(frozen=True)
class MacroRendering:
    text: str
    # Placeholders that are not in PLACEHOLDERS (a typo, usually), left as written.
    unknown: list[str] = field(default_factory=list)
    # Known placeholders without a value for this case (no account yet), left as written.
    missing: list[str] = field(default_factory=list)


def _first_name(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] if parts else ""


def macro_values(
    *, agent_name: str, case: Case | None = None, conversation: Conversation | None = None
) -> dict[str, str]:
    """The placeholder values for a case (or a chat). Values that are not known are absent."""
    values: dict[str, str] = {}
    if agent_name.strip():
        values["agent.name"] = agent_name.strip()
    requester_name = ""
    requester_email = ""
    account = None
    if case is not None:
        requester_name = case.requester_name
        requester_email = case.requester_email
        values["case.number"] = str(case.number)
        values["case.subject"] = case.subject
        account = case.account
    elif conversation is not None:
        requester_name = conversation.requester_name
        requester_email = conversation.requester_email
        account = conversation.account
    if requester_name.strip():
        values["requester.name"] = requester_name.strip()
        values["requester.first_name"] = _first_name(requester_name)
    if requester_email:
        values["requester.email"] = requester_email
    if account is not None:
        values["account.id"] = account.id
        values["account.business_name"] = account.business_name
        values["platform.name"] = account.platform.display_name
    return values


def macro_render_detailed(
    *, macro: Macro, agent_name: str, case: Case | None = None, conversation: Conversation | None = None
) -> MacroRendering:
    values = macro_values(agent_name=agent_name, case=case, conversation=conversation)
    unknown: list[str] = []
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        bucket = missing if name in PLACEHOLDERS else unknown
        if name not in bucket:
            bucket.append(name)
        return match.group(0)

    # One pass over the macro's own text: a value that itself looks like "{{ x }}" is
    # inserted literally and never expanded.
    return MacroRendering(text=PLACEHOLDER_RE.sub(replace, macro.body), unknown=unknown, missing=missing)


def macro_render(
    *, macro: Macro, agent_name: str, case: Case | None = None, conversation: Conversation | None = None
) -> str:
    return macro_render_detailed(macro=macro, agent_name=agent_name, case=case, conversation=conversation).text


def macro_unknown_placeholders(*, body: str) -> list[str]:
    found: list[str] = []
    for match in PLACEHOLDER_RE.finditer(body):
        name = match.group(1)
        if name not in PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def macros_for(*, user: User) -> QuerySet[Macro]:
    """The macros an agent may use: every shared one and their own personal ones."""
    return Macro.objects.filter(Q(shared=True) | Q(owner=user)).order_by("-shared", "title", "id")


def macro_get_for(*, user: User, macro_id: str) -> Macro:
    """A macro the agent may use; ``Macro.DoesNotExist`` for another agent's personal one."""
    return macros_for(user=user).get(pk=macro_id)


def _clean(*, title: str, body: str) -> tuple[str, str]:
    title = title.strip()
    body = body.replace("\r\n", "\n").strip()
    if not title:
        raise MacroError("Give the macro a title.")
    if len(title) > TITLE_MAX:
        raise MacroError(f"The title is too long (at most {TITLE_MAX} characters).")
    if not body:
        raise MacroError("Write the macro's text.")
    if len(body) > BODY_MAX:
        raise MacroError(f"The text is too long (at most {BODY_MAX:,} characters).")
    return title, body


def _check_can_change(*, macro: Macro, user: User) -> None:
    if not macro.shared and macro.owner_id != user.pk:
        raise MacroPermissionError("This is another agent's personal macro.")


@transaction.atomic
def macro_create(*, user: User, title: str, body: str, shared: bool) -> Macro:
    title, body = _clean(title=title, body=body)
    return Macro.objects.create(title=title, body=body, shared=shared, owner=user)


@transaction.atomic
def macro_update(*, macro: Macro, user: User, title: str, body: str, shared: bool) -> Macro:
    _check_can_change(macro=macro, user=user)
    title, body = _clean(title=title, body=body)
    macro.title = title
    macro.body = body
    # A shared macro made personal becomes the personal macro of whoever did it.
    if macro.shared and not shared:
        macro.owner = user
    macro.shared = shared
    macro.save(update_fields=["title", "body", "shared", "owner", "updated_at"])
    return macro


@transaction.atomic
def macro_delete(*, macro: Macro, user: User) -> None:
    _check_can_change(macro=macro, user=user)
    macro.delete()


def macro_record_use(*, macro: Macro) -> None:
    Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
