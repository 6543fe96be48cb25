"""What the components write: forms saved, onboarding submitted, banner items answered.

Each write checks that the component asking is enabled, asks for a recent authentication
where the data is sensitive, cleans the fields and goes through
``accounts.services.account_update``; a refusal names the fields to correct.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.onboarding import account_details_submit
from connect_support.accounts.services import account_update
from connect_support.embedded.catalogue import PAYOUT_DETAILS, SECTIONS, section_for_requirement
from connect_support.embedded.claims import StepUpRequiredError, account_session_require_step_up
from connect_support.embedded.components import (
    MANAGEMENT_SECTIONS,
    ONBOARDING_SECTIONS,
    ComponentError,
    ViewOptions,
    collects_bank_accounts,
    component_check,
    component_view,
    fresh_account,
    session_features,
)
from connect_support.embedded.fields import parse_fields
from connect_support.embedded.models import AccountSession
from connect_support.embedded.notifications import notification_sources
from connect_support.embedded.sections import Section, SectionContext, SectionError

_SECTION_COMPONENTS = {
    "account_onboarding": {s.id for s in ONBOARDING_SECTIONS},
    "account_management": {s.id for s in MANAGEMENT_SECTIONS},
}


def _step_up(session: AccountSession, component: str) -> None:
    if session_features(session, component).get("disable_stripe_user_authentication"):
        return  # the platform authenticates its users itself (requirement_collection=application)
    try:
        account_session_require_step_up(session=session)
    except StepUpRequiredError as needed:
        raise ComponentError(403, "authentication_error", "authentication_required", str(needed)) from None


def _save(
    *,
    session: AccountSession,
    component: str,
    section: Section,
    values: Mapping[str, Any],
    only: frozenset[str] | None,
    fields_option: str,
) -> ConnectedAccount:
    account = fresh_account(session)
    if section is PAYOUT_DETAILS and not collects_bank_accounts(session, component):
        raise ComponentError(
            403,
            "invalid_request_error",
            "external_account_collection_disabled",
            "Bank accounts for this account are collected by the platform.",
        )
    if section.sensitive or component == "account_onboarding":
        _step_up(session, component)
    context = SectionContext(account=account, fields=fields_option)
    fields = [item for item in section.all_fields(context) if only is None or item.name in only]
    cleaned, errors = parse_fields(fields, values)
    if errors:
        raise ComponentError(
            400, "invalid_request_error", "invalid_fields", "Check the highlighted fields.", fields=errors
        )
    try:
        params = section.to_params(context, cleaned)
    except SectionError as problem:
        raise ComponentError(
            400, "invalid_request_error", "invalid_fields", "Check the highlighted fields.", fields=problem.errors
        ) from None
    if not params:
        return account
    try:
        with transaction.atomic():
            return account_update(account=account, params=params)
    except InvalidParameterError as invalid:
        by_param = {item.param: item.name for item in fields if item.param}
        field_name = next((name for param, name in by_param.items() if invalid.param.endswith(param)), None)
        raise ComponentError(
            400,
            "invalid_request_error",
            "invalid_fields",
            "Check the highlighted fields." if field_name else invalid.message,
            fields={field_name: _plain(invalid.message)} if field_name else None,
        ) from None


def _plain(message: str) -> str:
    """The services quote the raw value for API callers; the form shows it already."""
    return re.sub(r":\s*['\"].*$", ".", message, flags=re.DOTALL)


def section_save(
    *, session: AccountSession, component: str, section_id: str, values: Mapping[str, Any], fields_option: str
) -> dict[str, Any]:
    component_check(session=session, component=component)
    section = SECTIONS.get(section_id)
    if section is None or section_id not in _SECTION_COMPONENTS.get(component, set()):
        raise ComponentError(404, "invalid_request_error", "unknown_section", f"No such form: {section_id[:60]}.")
    _save(session=session, component=component, section=section, values=values, only=None, fields_option=fields_option)
    return component_view(session=session, component=component, options=ViewOptions(fields=fields_option))


def onboarding_submit(
    *,
    session: AccountSession,
    values: Mapping[str, Any],
    ip: str | None,
    user_agent: str,
    fields_option: str,
    skip_terms: bool = False,
) -> dict[str, Any]:
    """Finish onboarding. With ``skip_terms`` the platform collected the terms itself
    (``setSkipTermsOfServiceCollection``) and no acceptance is recorded here."""
    component_check(session=session, component="account_onboarding")
    _step_up(session, "account_onboarding")
    view = component_view(session=session, component="account_onboarding", options=ViewOptions(fields=fields_option))
    if not view["canSubmit"]:
        raise ComponentError(
            400, "invalid_request_error", "onboarding_incomplete", "Some required information is still missing."
        )
    if not skip_terms and values.get("accept_terms") not in (True, "true", "on", "1"):
        raise ComponentError(
            400,
            "invalid_request_error",
            "invalid_fields",
            "Accept the terms to continue.",
            fields={"accept_terms": "Check this box to accept the terms."},
        )
    acceptance = {} if skip_terms else {"date": int(time.time()), "ip": ip or "", "user_agent": user_agent[:300]}
    account_details_submit(account=fresh_account(session), tos_acceptance=acceptance)
    return component_view(session=session, component="account_onboarding", options=ViewOptions(fields=fields_option))


def notification_answer(
    *,
    session: AccountSession,
    item_id: str,
    values: Mapping[str, Any],
    options: ViewOptions,
    ip: str | None,
    user_agent: str,
    documents: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Answer one banner task. ``documents`` (``field``, ``filename``, ``content_type``,
    ``content``) go to sources that take files (risk forms); the source checks them."""
    component_check(session=session, component="notification_banner")
    view = component_view(session=session, component="notification_banner", options=options)
    item = next((i for i in view["items"] if i["id"] == item_id and i["status"] == "action_required"), None)
    if item is None:
        raise ComponentError(
            404, "invalid_request_error", "unknown_notification", "This task was already answered or no longer applies."
        )
    if item["kind"] == "requirement":
        if item["id"].endswith("tos_acceptance"):
            if values.get("accept_terms") not in (True, "true", "on", "1"):
                raise ComponentError(
                    400,
                    "invalid_request_error",
                    "invalid_fields",
                    "Accept the terms to continue.",
                    fields={"accept_terms": "Check this box to accept the terms."},
                )
            account_update(
                account=fresh_account(session),
                params={"tos_acceptance": {"date": int(time.time()), "ip": ip or "", "user_agent": user_agent[:300]}},
            )
        else:
            section = section_for_requirement(item["code"])
            form = item.get("form") or {}
            only = frozenset(f["name"] for g in form.get("groups", []) for f in g["fields"])
            if section is None or not only:
                raise ComponentError(404, "invalid_request_error", "unknown_notification", "This task has no form.")
            _save(
                session=session,
                component="notification_banner",
                section=section,
                values=values,
                only=only if section is not PAYOUT_DETAILS else None,
                fields_option=options.fields,
            )
    else:
        _step_up(session, "notification_banner")
        source = next((s for s in notification_sources() if s.owns(item_id)), None)
        if source is None or not hasattr(source, "answer"):
            raise ComponentError(404, "invalid_request_error", "unknown_notification", "This task has no form.")
        try:
            source.answer(
                account=fresh_account(session),
                item_id=item_id,
                values=values,
                person=session.authenticated_person,
                documents=documents,
            )
        except InvalidParameterError as invalid:
            raise ComponentError(
                400, "invalid_request_error", "invalid_fields", invalid.message, fields={invalid.param: invalid.message}
            ) from None
    return component_view(session=session, component="notification_banner", options=options)
