"""Erasure on request: personal data replaced by tombstones, ids, counts and the audit
trail kept.

What stays: every row and its id (cases, messages, chats, interventions, decisions), so
numbers, reports and the trail still add up; agents' own names; what the operator wrote
about the account as a risk decision (kept for the operator's legal duties, see
docs/privacy.md). What goes: names, email addresses, phone numbers, postal addresses,
dates of birth, what the person wrote (subjects, message bodies, form answers), files
(deleted from storage after the transaction commits), raw mail, IP addresses.

Threading keys of erased cases (reply address token, Message-IDs) are replaced too, so a
later mail from the same person cannot land in a tombstoned case: it opens a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from connect_support.accounts.ids import new_id, new_secret
from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.cases.models import (
    Attachment,
    Case,
    CaseChange,
    CaseMessage,
    Deflection,
    InboundEmail,
    OutboundEmail,
)
from connect_support.chat.models import ChatAttachment, ChatMessage, Conversation
from connect_support.csat.models import Rating
from connect_support.identity.audit import AuditKind, audit_record
from connect_support.identity.models import AuditEvent, OtpChallenge, OutboxSms, SignInSession
from connect_support.privacy import scope
from connect_support.privacy.scope import ACCOUNT, DataSubject
from connect_support.risk.models import AccountEmail, InterventionFile, InterventionResponse
from connect_support.webhooks.models import Event

logger = logging.getLogger(__name__)

ERASED = "[erased]"
ERASED_EMAIL = "erased@erased.invalid"
# Keys whose values are personal wherever they appear in stored API objects (events).
PERSONAL_KEYS = frozenset(
    {
        "email",
        "phone",
        "first_name",
        "last_name",
        "maiden_name",
        "dob",
        "address",
        "name",
        "support_phone",
        "support_email",
        "ip",
        "user_agent",
        "external_accounts",
        "individual",
    }
)


class ErasureConfirmationError(ValueError):
    """The confirmation typed does not match what is being erased."""


@dataclass(frozen=True)
class ErasureResult:
    subject: DataSubject
    counts: dict[str, int]
    files_deleted: int


def scrubbed(value: Any) -> Any:
    """A stored JSON value with every personal key's value removed, at any depth."""
    if isinstance(value, dict):
        return {key: (None if key in PERSONAL_KEYS else scrubbed(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [scrubbed(item) for item in value]
    return value


def _erase_account(account: ConnectedAccount) -> None:
    profile = account.business_profile if isinstance(account.business_profile, dict) else {}
    tos = account.tos_acceptance if isinstance(account.tos_acceptance, dict) else {}
    ConnectedAccount.objects.filter(pk=account.pk).update(
        email="",
        # The industry code says what the business does, not who runs it.
        business_profile={"mcc": profile["mcc"]} if profile.get("mcc") else {},
        company={},
        external_accounts=[],
        tos_acceptance={key: tos[key] for key in ("date", "service_agreement") if key in tos},
        metadata={},
    )


class _Rows:
    """The ids of every row to erase, read before anything changes: the lookups match on
    the very addresses that erasure replaces."""

    def __init__(self, subject: DataSubject) -> None:
        def ids(queryset: QuerySet[Any]) -> list[Any]:
            return list(queryset.values_list("pk", flat=True))

        self.persons = ids(scope.subject_persons(subject))
        self.phones = [p for p in scope.subject_persons(subject).values_list("phone", flat=True) if p]
        self.cases = ids(scope.subject_cases(subject))
        self.outbound = ids(scope.subject_outbound_emails(subject))
        self.inbound = ids(scope.subject_inbound_emails(subject))
        self.chats = ids(scope.subject_chats(subject))
        self.ratings = ids(scope.subject_ratings(subject))
        self.responses = ids(scope.subject_intervention_responses(subject))
        self.account_emails = ids(scope.subject_account_emails(subject))
        self.sign_ins = ids(scope.subject_sign_in_sessions(subject))
        self.challenges = ids(scope.subject_sms_challenges(subject))
        self.deflections = ids(scope.subject_deflections(subject))
        self.events = ids(scope.subject_webhook_events(subject))
        self.trail = ids(scope.subject_audit_events(subject))


def _erase_persons(rows: _Rows) -> int:
    count = 0
    OutboxSms.objects.filter(to__in=rows.phones).update(to="", body=ERASED)
    for person in Person.objects.filter(pk__in=rows.persons).only("pk", "relationship"):
        relationship = person.relationship if isinstance(person.relationship, dict) else {}
        kept = {key: value for key, value in relationship.items() if isinstance(value, bool)}
        count += Person.objects.filter(pk=person.pk).update(
            first_name="",
            last_name="",
            email="",
            phone="",
            dob={},
            address={},
            verification={},
            metadata={},
            relationship=kept,
        )
    return count


def _erase_cases(rows: _Rows, files: list[str]) -> dict[str, int]:
    # The row locks every case writer takes: a message arriving now waits, then lands after.
    list(Case.objects.select_for_update().filter(pk__in=rows.cases).values_list("pk", flat=True))
    for case_id in rows.cases:
        # New threading keys: replies to old mail no longer reach the tombstone.
        Case.objects.filter(pk=case_id).update(reply_token=new_secret("", 32), form_token=None)
    counts = {
        "cases": Case.objects.filter(pk__in=rows.cases).update(
            requester_name="", requester_email=ERASED_EMAIL, subject=ERASED, source_context={}
        )
    }
    messages = CaseMessage.objects.filter(case_id__in=rows.cases)
    counts["case messages"] = messages.update(body_text=ERASED, body_html="", message_id="", in_reply_to="", notes=[])
    messages.exclude(author_kind=CaseMessage.Author.AGENT).update(author_name="", author_email="")
    attachments = Attachment.objects.filter(case_id__in=rows.cases)
    files.extend(name for name in attachments.values_list("file", flat=True) if name)
    counts["case attachments"] = attachments.update(file="", filename=ERASED, sha256="")
    CaseChange.objects.filter(case_id__in=rows.cases).exclude(actor_kind=CaseMessage.Author.AGENT).update(
        actor_label=ERASED
    )
    _erase_case_search(rows.cases)
    counts["emails sent"] = 0
    for pk in rows.outbound:
        counts["emails sent"] += OutboundEmail.objects.filter(pk=pk).update(
            to=ERASED_EMAIL,
            subject=ERASED,
            text_body=ERASED,
            html_body="",
            headers={},
            message_id=f"erased.{new_id('out')}",
            last_error="",
        )
    counts["emails received"] = InboundEmail.objects.filter(pk__in=rows.inbound).update(
        raw=b"",
        raw_pruned=True,
        peer="",
        envelope_from="",
        envelope_to=[],
        from_address="",
        subject=ERASED,
        message_id="",
    )
    return counts


def _erase_case_search(case_ids: list[str]) -> None:
    """The console's full-text index of cases copies subjects, requesters and bodies. It is
    reached by name: a domain package never imports the console."""
    if not apps.is_installed("connect_support.console"):
        return
    try:
        index = apps.get_model("console", "CaseSearchEntry")
    except LookupError:
        return
    index.objects.filter(case_id__in=case_ids).update(subject=ERASED, people="", body=ERASED)


def _erase_chats(rows: _Rows, files: list[str]) -> dict[str, int]:
    list(Conversation.objects.select_for_update().filter(pk__in=rows.chats).values_list("pk", flat=True))
    counts = {
        "chats": Conversation.objects.filter(pk__in=rows.chats).update(
            requester_name="", requester_email="", first_message=ERASED, source_context={}
        )
    }
    items = ChatMessage.objects.filter(conversation_id__in=rows.chats, kind=ChatMessage.Kind.MESSAGE)
    counts["chat messages"] = items.update(text=ERASED, data={})
    items.filter(author_kind=ChatMessage.Author.CUSTOMER).update(author_name="")
    attachments = ChatAttachment.objects.filter(conversation_id__in=rows.chats)
    files.extend(name for name in attachments.values_list("file", flat=True) if name)
    counts["chat attachments"] = attachments.update(file="", filename=ERASED, sha256="")
    counts["rating comments"] = Rating.objects.filter(pk__in=rows.ratings).exclude(comment="").update(comment=ERASED)
    return counts


def _erase_risk(rows: _Rows) -> dict[str, int]:
    counts = {
        "intervention files": InterventionFile.objects.filter(response_id__in=rows.responses).update(
            content=b"", filename=ERASED
        ),
        "intervention answers": InterventionResponse.objects.filter(pk__in=rows.responses).update(
            answers={}, person_name=ERASED
        ),
        "account emails": AccountEmail.objects.filter(pk__in=rows.account_emails).update(
            to=ERASED_EMAIL, subject=ERASED, text_body=ERASED, html_body="", last_error=""
        ),
    }
    return counts


def _erase_traces(rows: _Rows) -> dict[str, int]:
    counts = {"sign-ins": SignInSession.objects.filter(pk__in=rows.sign_ins).update(ip=None, user_agent="")}
    counts["sms codes"] = OtpChallenge.objects.filter(pk__in=rows.challenges).update(
        phone="", masked_phone=ERASED, ip=None
    )
    counts["deflections"] = Deflection.objects.filter(pk__in=rows.deflections).update(subject=ERASED, source_context={})
    for event in Event.objects.filter(pk__in=rows.events).only("pk", "data"):
        Event.objects.filter(pk=event.pk).update(data=scrubbed(event.data))
    # The trail stays: who did what, when. Only the subject's own identifiers and network
    # traces go; agents' events keep their addresses, ids stay ids.
    trail = AuditEvent.objects.filter(pk__in=rows.trail)
    trail.filter(Q(kind__startswith="support.") | Q(kind__startswith="component.")).update(ip=None, user_agent="")
    trail.exclude(kind__startswith="agent.").exclude(kind__startswith="privacy.").exclude(
        Q(subject_label="") | Q(subject_label__regex=r"^[a-z]+_[A-Za-z0-9]+$")
    ).update(subject_label=ERASED)
    counts["audit events kept"] = len(rows.trail)
    return counts


def _address_digest(address: str) -> str:
    """Lets an operator check later whether an address was erased, without keeping it."""
    return hmac.new(settings.SECRET_KEY.encode(), address.lower().encode(), hashlib.sha256).hexdigest()


def _delete_files(names: list[str]) -> int:
    deleted = 0
    for name in names:
        try:
            default_storage.delete(name)
            deleted += 1
        except OSError:
            logger.exception("An erased file could not be deleted from storage", extra={"storage_name": name})
    return deleted


def privacy_erase(
    *, subject: DataSubject, confirmation: str, actor: User, request: HttpRequest | None = None
) -> ErasureResult:
    """Erase the subject's personal data. ``confirmation`` must repeat the account id or
    address exactly: the change cannot be undone."""
    if confirmation.strip().lower() != subject.value.lower():
        raise ErasureConfirmationError(f"Type {subject.value} exactly to confirm the erasure.")
    files: list[str] = []
    counts: dict[str, int] = {}
    is_account = subject.kind == ACCOUNT
    with transaction.atomic():
        if is_account and subject.account is not None:
            _erase_account(ConnectedAccount.objects.select_for_update().get(pk=subject.account.pk))
        rows = _Rows(subject)
        counts.update(_erase_cases(rows, files))
        counts.update(_erase_chats(rows, files))
        counts.update(_erase_risk(rows))
        counts["people"] = _erase_persons(rows)
        counts.update(_erase_traces(rows))
        detail: dict[str, Any] = {"scope": subject.kind, "counts": counts, "files": len(files)}
        if is_account:
            detail["target"] = subject.value
        else:
            detail["address_digest"] = _address_digest(subject.value)
        audit_record(
            kind=AuditKind.PRIVACY_ERASED,
            request=request,
            actor=actor,
            subject_label=subject.value if is_account else ERASED,
            account_id=subject.value if is_account else "",
            detail=detail,
        )
        deleted: list[int] = []
        transaction.on_commit(lambda: deleted.append(_delete_files(files)))
    return ErasureResult(subject=subject, counts=counts, files_deleted=deleted[0] if deleted else 0)
