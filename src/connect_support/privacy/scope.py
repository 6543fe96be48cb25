"""Whose data: an account (by its id) or a requester (by email address), and the rows of
every model that hold their personal data (the inventory is in docs/privacy.md).

An account's scope follows foreign keys to the account only: a case that merely claims
the account id (typed by someone unverified) is not the account's, and is found by its
requester's address instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet

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
from connect_support.embedded.models import AccountSession
from connect_support.identity.models import AuditEvent, OtpChallenge, SignInSession
from connect_support.risk.models import AccountEmail, Intervention, InterventionFile, InterventionResponse
from connect_support.webhooks.models import Event

ACCOUNT = "account"
REQUESTER = "requester"


class SubjectNotFoundError(ValueError):
    """The lookup names no account, or is not an account id or an email address."""


@dataclass(frozen=True)
class DataSubject:
    kind: str  # ACCOUNT or REQUESTER
    value: str  # the account id, or the lower-cased email address
    account: ConnectedAccount | None = None

    @property
    def described(self) -> str:
        return f"account {self.value}" if self.kind == ACCOUNT else f"requester {self.value}"


def data_subject_find(*, query: str) -> DataSubject:
    text = (query or "").strip()
    if not text:
        raise SubjectNotFoundError("Enter an account id (acct_…) or an email address.")
    if len(text) > 254:
        raise SubjectNotFoundError("That is too long to be an account id or an email address.")
    if text.startswith("acct_"):
        account = ConnectedAccount.objects.select_related("platform").filter(pk=text).first()
        if account is None:
            raise SubjectNotFoundError(f"No account has the id {text}.")
        return DataSubject(kind=ACCOUNT, value=text, account=account)
    try:
        validate_email(text)
    except ValidationError:
        raise SubjectNotFoundError(f"“{text}” is neither an account id (acct_…) nor an email address.") from None
    return DataSubject(kind=REQUESTER, value=text.lower())


def _is_account(subject: DataSubject) -> bool:
    return subject.kind == ACCOUNT


def subject_persons(subject: DataSubject) -> QuerySet[Person]:
    if _is_account(subject):
        return Person.objects.filter(account_id=subject.value)
    return Person.objects.filter(email__iexact=subject.value)


def subject_cases(subject: DataSubject) -> QuerySet[Case]:
    if _is_account(subject):
        return Case.objects.filter(account_id=subject.value)
    return Case.objects.filter(requester_email__iexact=subject.value)


def subject_case_messages(subject: DataSubject) -> QuerySet[CaseMessage]:
    return CaseMessage.objects.filter(case__in=subject_cases(subject))


def subject_case_attachments(subject: DataSubject) -> QuerySet[Attachment]:
    return Attachment.objects.filter(case__in=subject_cases(subject))


def subject_case_changes(subject: DataSubject) -> QuerySet[CaseChange]:
    return CaseChange.objects.filter(case__in=subject_cases(subject))


def subject_chats(subject: DataSubject) -> QuerySet[Conversation]:
    if _is_account(subject):
        return Conversation.objects.filter(account_id=subject.value)
    return Conversation.objects.filter(requester_email__iexact=subject.value)


def subject_chat_items(subject: DataSubject) -> QuerySet[ChatMessage]:
    return ChatMessage.objects.filter(conversation__in=subject_chats(subject))


def subject_chat_attachments(subject: DataSubject) -> QuerySet[ChatAttachment]:
    return ChatAttachment.objects.filter(conversation__in=subject_chats(subject))


def subject_ratings(subject: DataSubject) -> QuerySet[Rating]:
    return Rating.objects.filter(Q(case__in=subject_cases(subject)) | Q(conversation__in=subject_chats(subject)))


def subject_outbound_emails(subject: DataSubject) -> QuerySet[OutboundEmail]:
    match = Q(case__in=subject_cases(subject))
    if not _is_account(subject):
        match |= Q(to__iexact=subject.value)
    return OutboundEmail.objects.filter(match)


def subject_inbound_emails(subject: DataSubject) -> QuerySet[InboundEmail]:
    match = Q(case__in=subject_cases(subject))
    if not _is_account(subject):
        match |= Q(from_address__iexact=subject.value)
    return InboundEmail.objects.filter(match)


def subject_account_emails(subject: DataSubject) -> QuerySet[AccountEmail]:
    if _is_account(subject):
        return AccountEmail.objects.filter(account_id=subject.value)
    return AccountEmail.objects.filter(to__iexact=subject.value)


def subject_interventions(subject: DataSubject) -> QuerySet[Intervention]:
    if _is_account(subject):
        return Intervention.objects.filter(account_id=subject.value)
    return Intervention.objects.none()


def subject_intervention_responses(subject: DataSubject) -> QuerySet[InterventionResponse]:
    if _is_account(subject):
        return InterventionResponse.objects.filter(intervention__account_id=subject.value)
    persons = list(subject_persons(subject).values_list("pk", flat=True))
    return (
        InterventionResponse.objects.filter(person_id__in=persons) if persons else InterventionResponse.objects.none()
    )


def subject_intervention_files(subject: DataSubject) -> QuerySet[InterventionFile]:
    return InterventionFile.objects.filter(response__in=subject_intervention_responses(subject))


def subject_sign_in_sessions(subject: DataSubject) -> QuerySet[SignInSession]:
    if _is_account(subject):
        return SignInSession.objects.filter(account_id=subject.value)
    return SignInSession.objects.filter(person__in=subject_persons(subject))


def subject_sms_challenges(subject: DataSubject) -> QuerySet[OtpChallenge]:
    if _is_account(subject):
        return OtpChallenge.objects.filter(account_id=subject.value)
    return OtpChallenge.objects.filter(person__in=subject_persons(subject))


def subject_audit_events(subject: DataSubject) -> QuerySet[AuditEvent]:
    if _is_account(subject):
        return AuditEvent.objects.filter(account_id=subject.value)
    return AuditEvent.objects.filter(subject_label__iexact=subject.value)


def subject_account_sessions(subject: DataSubject) -> QuerySet[AccountSession]:
    if _is_account(subject):
        return AccountSession.objects.filter(account_id=subject.value)
    return AccountSession.objects.filter(authenticated_person__in=subject_persons(subject))


def subject_deflections(subject: DataSubject) -> QuerySet[Deflection]:
    if _is_account(subject):
        return Deflection.objects.filter(account_id=subject.value)
    return Deflection.objects.none()


def subject_webhook_events(subject: DataSubject) -> QuerySet[Event]:
    if _is_account(subject):
        return Event.objects.filter(account_id=subject.value)
    return Event.objects.none()


def data_subject_summary(subject: DataSubject) -> list[tuple[str, int]]:
    """What is kept, counted, for the console to show before an export or an erasure."""
    return [
        ("People", subject_persons(subject).count()),
        ("Cases", subject_cases(subject).count()),
        ("Case messages", subject_case_messages(subject).count()),
        ("Case attachments", subject_case_attachments(subject).count()),
        ("Chats", subject_chats(subject).count()),
        ("Chat items", subject_chat_items(subject).count()),
        ("Chat attachments", subject_chat_attachments(subject).count()),
        ("Emails sent", subject_outbound_emails(subject).count() + subject_account_emails(subject).count()),
        ("Emails received", subject_inbound_emails(subject).count()),
        ("Interventions", subject_interventions(subject).count()),
        ("Intervention answers", subject_intervention_responses(subject).count()),
        ("Sign-ins", subject_sign_in_sessions(subject).count()),
        ("Audit events", subject_audit_events(subject).count()),
    ]
