"""Where a visitor came from, and what to call the task they were doing.

The embedded components link here with ``?source=<component>.<dialog>`` and, for a
requirement or an intervention, ``&requirement=<code>`` or ``&intervention=<kind>``.
Articles carry the same strings in their ``contexts`` tags; the page shows those
articles first under a heading that names the task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

_CODE = re.compile(r"^[a-z0-9_.:\-]{1,80}$")

# Phrases complete the heading "Help with …".
_TASKS: dict[str, StrPromise] = {
    "account_onboarding.onboarding": _("setting up your account"),
    "account_management.edit_professional_details": _("editing your business details"),
    "account_management.edit_public_details": _("editing your public details"),
    "account_management.edit_personal_details": _("editing your personal details"),
    "account_management.edit_payout_details": _("editing payout details"),
    "notification_banner.compliance_form": _("a request for information"),
    "notification_banner.risk_form": _("a risk review"),
    "authentication.dialog": _("signing in with a text message code"),
    "requirement:external_account": _("adding a bank account for payouts"),
    "requirement:individual.verification.document": _("verifying your identity"),
    "requirement:company.verification.document": _("verifying your business"),
    "requirement:individual.address.line1": _("confirming your address"),
    "requirement:individual.id_number": _("confirming your ID number"),
    "requirement:company.tax_id": _("confirming your business tax ID"),
    "requirement:business_profile.mcc": _("describing what your business sells"),
    "requirement:business_profile.url": _("adding your business website"),
    "requirement:tos_acceptance.date": _("accepting the terms of service"),
    "intervention:pause_payouts": _("paused payouts"),
    "intervention:pause_charges": _("paused payments"),
    "intervention:slow_payouts": _("slower payouts"),
    "intervention:reserve": _("a reserve on your balance"),
    "intervention:offboarding": _("closing or appealing the closure of your account"),
}
_COMPONENTS: dict[str, StrPromise] = {
    "account_onboarding": _("setting up your account"),
    "account_management": _("managing your account"),
    "notification_banner": _("the tasks in your notification banner"),
    "authentication": _("signing in with a text message code"),
}


@dataclass(frozen=True)
class VisitorContext:
    """The tags to look for, most specific first, and the task they describe."""

    tags: tuple[str, ...]
    task: str

    @property
    def heading(self) -> str:
        return str(_("Help with %(task)s")) % {"task": self.task}


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()
    return value if _CODE.match(value) else None


def visitor_context(*, source: str | None, requirement: str | None, intervention: str | None) -> VisitorContext | None:
    """The context named by the query string, or None if it names nothing we know."""
    tags: list[str] = []
    task: str | None = None
    for prefix, value in (("intervention:", _clean(intervention)), ("requirement:", _clean(requirement))):
        if value:
            tag = prefix + value
            tags.append(tag)
            task = task or (str(_TASKS[tag]) if tag in _TASKS else None)
    clean_source = _clean(source)
    if clean_source:
        tags.append(clean_source)
        task = task or (str(_TASKS[clean_source]) if clean_source in _TASKS else None)
        component = clean_source.split(".", 1)[0]
        task = task or (str(_COMPONENTS[component]) if component in _COMPONENTS else None)
    if not tags or task is None:
        return None
    return VisitorContext(tags=tuple(tags), task=task)
