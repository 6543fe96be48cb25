"""What the notification banner lists: one list of items, gathered from sources.

Each source returns items in one shape (below) and answers its own forms. The account's
requirements are the first source; risk interventions plug in as another by naming their
source in ``settings.EMBEDDED_NOTIFICATION_SOURCES`` (dotted paths to objects with the
``items`` and ``answer`` methods of :class:`NotificationSource`). A source never imports
this package: the shape is plain data.

Item shape (JSON as the banner receives it)::

    {"id": "requirement:individual.address", "kind": "requirement" | "intervention",
     "code": "individual.address.line1",            # the requirement code or intervention kind
     "title": "...", "description": "...",
     "status": "action_required" | "in_review",
     "affects": ["payments", "payouts"],
     "dueBy": 1767225600 | None, "overdue": bool, "future": bool,
     "errors": ["The address could not be verified. ..."],
     "form": {<section description, see sections.py>} | None,
     "support": {"source": "notification_banner.compliance_form", "requirement": "individual.address.line1"}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from connect_support.accounts.models import ConnectedAccount
from connect_support.embedded.catalogue import PAYOUT_DETAILS, section_for_requirement
from connect_support.embedded.sections import SectionContext


@dataclass(frozen=True)
class BannerOptions:
    """``setCollectionOptions`` of the banner."""

    fields: str = "currently_due"  # or "eventually_due"
    future_requirements: str = "omit"  # or "include"
    external_account_collection: bool = True


class NotificationSource(Protocol):
    def items(self, *, account: ConnectedAccount, options: BannerOptions) -> list[dict[str, Any]]: ...

    def owns(self, item_id: str) -> bool: ...


# Requirement codes grouped into one banner item each: (key, prefixes, title, what to do).
_GROUPS: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("business_type", ("business_type",), "Tell us your type of business", "Choose how your business is organized."),
    (
        "business_profile",
        ("business_profile.",),
        "Describe your business",
        "Add your industry and your website or what you sell.",
    ),
    (
        "company",
        ("company.",),
        "Provide your business's legal details",
        "Add the legal name, tax ID, address and phone of your business.",
    ),
    (
        "individual.address",
        ("individual.address.", "representative.address."),
        "Verify your address",
        "Provide the home address of the account's representative.",
    ),
    (
        "individual",
        ("individual.", "representative."),
        "Verify your personal details",
        "Provide the personal details of the account's representative.",
    ),
    (
        "external_account",
        ("external_account",),
        "Add a bank account for payouts",
        "Add the bank account where we send your payouts.",
    ),
    ("tos_acceptance", ("tos_acceptance.",), "Accept the terms of service", "Review and accept the terms of service."),
)


def _group_of(code: str) -> tuple[str, str, str] | None:
    for key, prefixes, title, description in _GROUPS:
        if any(code == prefix or code.startswith(prefix) for prefix in prefixes):
            return key, title, description
    return None


def _affects(key: str) -> list[str]:
    # A bank account is needed only to pay out; everything else gates payments too.
    return ["payouts"] if key == "external_account" else ["payments", "payouts"]


class RequirementNotifications:
    """The account's requirements as banner items, answered with the sections' forms."""

    prefix = "requirement:"

    def owns(self, item_id: str) -> bool:
        return item_id.startswith(self.prefix)

    def items(self, *, account: ConnectedAccount, options: BannerOptions) -> list[dict[str, Any]]:
        requirements: Mapping[str, Any] = account.requirements or {}
        future: Mapping[str, Any] = account.future_requirements or {}
        due = list(requirements.get(options.fields, []) or [])
        due += [c for c in requirements.get("currently_due", []) or [] if c not in due]
        past_due = set(requirements.get("past_due", []) or [])
        pending = list(requirements.get("pending_verification", []) or [])
        errors = {e.get("requirement"): str(e.get("reason", "")) for e in requirements.get("errors", []) or []}
        future_due: list[str] = []
        if options.future_requirements == "include":
            future_due = [c for c in future.get(options.fields, []) or [] if c not in due]
        grouped: dict[str, dict[str, Any]] = {}
        for code, status, is_future in (
            *((c, "action_required", False) for c in due),
            *((c, "action_required", True) for c in future_due),
            *((c, "in_review", False) for c in pending),
        ):
            group = _group_of(code)
            if group is None:
                continue
            key, title, description = group
            if key == "external_account" and not options.external_account_collection:
                continue  # the platform collects bank accounts itself
            item = grouped.setdefault(
                key,
                {
                    "id": self.prefix + key,
                    "kind": "requirement",
                    "code": code,
                    "codes": [],
                    "title": title,
                    "description": description,
                    "status": status,
                    "affects": _affects(key),
                    "dueBy": (future if is_future else requirements).get("current_deadline"),
                    "overdue": False,
                    "future": is_future,
                    "errors": [],
                },
            )
            item["codes"].append(code)
            if status == "action_required":
                item["status"] = "action_required"
                item["future"] = item["future"] and is_future
            if code in past_due:
                item["overdue"] = True
            if code in errors and errors[code] not in item["errors"]:
                item["errors"].append(errors[code])
                item["code"] = code  # the failed check is what the user needs help with
        context = SectionContext(account=account, fields=options.fields)
        result = []
        for item in grouped.values():
            if item["status"] == "in_review":
                item["description"] = "We're checking what you sent. We'll let you know if we need anything else."
            item["form"] = self._form(context, item) if item["status"] == "action_required" else None
            item["support"] = {"source": "notification_banner.compliance_form", "requirement": item["code"]}
            result.append(item)
        return result

    def _form(self, context: SectionContext, item: Mapping[str, Any]) -> dict[str, Any] | None:
        codes = set(item["codes"])
        if "tos_acceptance" in item["id"]:
            return terms_form()
        section = section_for_requirement(item["code"])
        if section is None:
            return None
        only = section.fields_for(context, codes) if section is not PAYOUT_DETAILS else None
        described = section.describe(context, only=only)
        described["title"] = item["title"]
        described["description"] = item["errors"][0] if item["errors"] else item["description"]
        return described


def terms_form() -> dict[str, Any]:
    return {
        "id": "tos_acceptance",
        "title": "Accept the terms of service",
        "description": "",
        "requiresAuthentication": False,
        "summary": [],
        "groups": [
            {
                "legend": "",
                "description": "",
                "fields": [
                    {
                        "name": "accept_terms",
                        "label": "I agree to the services agreement",
                        "type": "checkbox",
                        "required": True,
                        "value": "",
                        "width": "full",
                        "maxlength": 5,
                    }
                ],
            }
        ],
    }


def notification_sources() -> list[Any]:
    paths = getattr(settings, "EMBEDDED_NOTIFICATION_SOURCES", None)
    if not paths:
        return [RequirementNotifications()]
    return [import_string(path)() for path in paths]


def notification_items(*, account: ConnectedAccount, options: BannerOptions) -> list[dict[str, Any]]:
    """Every item of every source: action required first, overdue before the rest."""
    items: list[dict[str, Any]] = []
    for source in notification_sources():
        items.extend(source.items(account=account, options=options))
    items.sort(key=lambda i: (i["status"] != "action_required", not i["overdue"], i.get("future", False)))
    return items


def notification_counts(items: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {"total": len(items), "actionRequired": sum(1 for i in items if i["status"] == "action_required")}
