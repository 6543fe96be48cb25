"""Reads behind the console's case view: the thread page by page, and the side panel with
the account's context (platform, eligibility, onboarding, requirements, interventions, the
last emails sent to it, where the requester came from, the chat the case came from).

Each part is a bounded number of queries whatever the size of the thread or the account's
history, so the view's cost does not grow with either."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q

from connect_support.accounts.eligibility import SupportEligibility, support_eligibility
from connect_support.accounts.models import ConnectedAccount
from connect_support.cases.merge import merged_case_ids
from connect_support.cases.models import Attachment, Case, CaseChange, CaseMessage, OutboundEmail
from connect_support.chat.account_panel import AccountPanel, account_panel_for
from connect_support.chat.availability import chat_settings_get, zone_of
from connect_support.chat.models import Conversation
from connect_support.chat.transcripts import TranscriptLine, transcript_lines
from connect_support.risk.banner import SUPPORT_SOURCE as RISK_SUPPORT_SOURCE
from connect_support.risk.models import AccountEmail, RiskCaseLink

PAGE_SIZE = 50
OTHER_CASES = 10
RECENT_EMAILS = 6
HISTORY_ROWS = 200
TRANSCRIPT_LINES = 500
# Images shown inline; anything else (SVG included: it can carry script) is a download.
PREVIEWABLE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@dataclass(frozen=True)
class ThreadPage:
    messages: list[CaseMessage]
    page: int
    pages: int
    total: int

    @property
    def older(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def newer(self) -> int | None:
        return self.page - 1 if self.page > 1 else None


def thread_page(*, case: Case, page: int) -> ThreadPage:
    """Page 1 is the newest ``PAGE_SIZE`` messages; each page reads oldest first."""
    messages = CaseMessage.objects.filter(case=case)
    total = messages.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(
        messages.select_related(None)
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id")))
        .order_by("-created_at", "-id")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    )
    rows.reverse()
    return ThreadPage(messages=rows, page=page, pages=pages, total=total)


@dataclass(frozen=True)
class SentEmail:
    at: datetime
    subject: str
    kind: str
    status: str


@dataclass(frozen=True)
class Origin:
    source: str = ""
    component: str = ""
    dialog: str = ""
    requirement: str = ""
    intervention: str = ""
    task: str = ""
    page: str = ""
    articles: list[dict[str, str]] = field(default_factory=list)
    follow_up_of: str = ""

    @property
    def known(self) -> bool:
        return bool(self.source or self.component or self.articles or self.page or self.follow_up_of)


@dataclass(frozen=True)
class CaseSidePanel:
    account: ConnectedAccount | None
    eligibility: SupportEligibility | None
    account_panel: AccountPanel | None
    capabilities: list[tuple[str, str]]
    emails: list[SentEmail]
    origin: Origin
    conversation: Conversation | None
    transcript: list[TranscriptLine]
    other_cases: list[Case]


def _origin(context: dict[str, Any]) -> Origin:
    def text(name: str) -> str:
        value = context.get(name)
        return str(value)[:300] if isinstance(value, str | int) else ""

    articles = [
        {"url": str(item.get("url", ""))[:300], "title": str(item.get("title", ""))[:300]}
        for item in (context.get("viewed_articles") or [])[:20]
        # Only our own pages are linked: a stored URL never becomes "javascript:".
        if isinstance(item, dict) and str(item.get("url", "")).startswith("/embedded-connect/")
    ]
    return Origin(
        source=text("source"),
        component=text("component"),
        dialog=text("dialog"),
        requirement=text("requirement"),
        intervention=text("intervention"),
        task=text("task"),
        page=text("page"),
        articles=articles,
        follow_up_of=text("follow_up_of"),
    )


def _emails(account: ConnectedAccount) -> list[SentEmail]:
    case_mail = OutboundEmail.objects.filter(case__account=account).only("created_at", "subject", "kind", "status")
    risk_mail = AccountEmail.objects.filter(account=account).only(
        "created_at", "subject", "category", "status", "delivery"
    )
    rows = [
        SentEmail(
            at=mail.created_at, subject=mail.subject, kind=mail.get_kind_display(), status=mail.get_status_display()
        )
        for mail in case_mail.order_by("-created_at")[:RECENT_EMAILS]
    ]
    rows += [
        SentEmail(
            at=mail.created_at,
            subject=mail.subject,
            kind=f"{mail.get_category_display()} email",
            status=f"{mail.get_status_display()}, {mail.delivery}" if mail.delivery else mail.get_status_display(),
        )
        for mail in risk_mail.order_by("-created_at")[:RECENT_EMAILS]
    ]
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:RECENT_EMAILS]


def _conversation(case: Case) -> Conversation | None:
    chat_id = case.source_context.get("conversation_id") or case.source_context.get("chat")
    query = Q(case_id=case.pk)
    if isinstance(chat_id, str) and chat_id:
        query |= Q(pk=chat_id[:40])
    return Conversation.objects.filter(query).order_by("created_at").first()


def case_side_panel(*, case: Case) -> CaseSidePanel:
    account = case.account
    conversation = _conversation(case)
    transcript: list[TranscriptLine] = []
    if conversation is not None:
        transcript = transcript_lines(conversation=conversation, zone=zone_of(chat_settings_get()))[:TRANSCRIPT_LINES]
    others = Case.objects.filter(requester_email=case.requester_email)
    if account is not None:
        others = Case.objects.filter(Q(requester_email=case.requester_email) | Q(account=account))
    other_cases = list(
        others.exclude(pk=case.pk)
        .filter(merged_into__isnull=True)
        .only("id", "number", "subject", "status", "updated_at")
        .order_by("-updated_at")[:OTHER_CASES]
    )
    capabilities: list[tuple[str, str]] = []
    if account is not None:
        capabilities = sorted((str(name), str(state)) for name, state in (account.capabilities or {}).items())
    return CaseSidePanel(
        account=account,
        eligibility=support_eligibility(account) if account is not None else None,
        account_panel=account_panel_for(account=account) if account is not None else None,
        capabilities=capabilities,
        emails=_emails(account) if account is not None else [],
        origin=_origin(case.source_context if isinstance(case.source_context, dict) else {}),
        conversation=conversation,
        transcript=transcript,
        other_cases=other_cases,
    )


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    label: str
    old: str
    new: str
    # The number of the merged case the change was made on, when not this one.
    on_case: int | None


_HISTORY_LABELS = {
    "status": "Status",
    "priority": "Priority",
    "assignee": "Assignee",
    "tags": "Tags",
    "topic": "Topic",
    "account": "Account",
    "claimed_account_id": "Claimed account",
    "merged": "Merged here",
    "merged_into": "Merged into",
    # Breaches recorded by the SLA job (sla/escalation.py).
    "sla_first_response": "First response target",
    "sla_next_response": "Next response target",
    "sla_resolution": "Resolution target",
}


def case_history_rows(*, case: Case) -> list[HistoryRow]:
    """The case's field changes in words, with those of the cases merged into it. Times
    kept for reports (first response, solved) are left out: the status rows say it."""
    merged = merged_case_ids(case=case)
    rows = list(
        CaseChange.objects.filter(case_id__in=[case.pk, *merged], field__in=_HISTORY_LABELS).order_by("-at", "-id")[
            :HISTORY_ROWS
        ]
    )
    rows.reverse()
    other_ids = ({*merged} | {row.new for row in rows if row.field == "merged_into"}) - {case.pk}
    numbers = {case.pk: case.number}
    if other_ids:
        numbers.update(Case.objects.filter(pk__in=other_ids).values_list("pk", "number"))
    user_ids = {value for row in rows if row.field == "assignee" for value in (row.old, row.new) if value.isdigit()}
    names: dict[str, str] = {}
    if user_ids:
        users = User.objects.filter(pk__in=[int(value) for value in user_ids])
        names = {str(user.pk): user.get_full_name() or user.email for user in users}
    statuses = dict(Case.Status.choices)

    def shown(field: str, value: str) -> str:
        if not value:
            return "—"
        if field == "assignee":
            return names.get(value, "a former agent")
        if field == "merged_into":
            return f"#{numbers[value]}" if value in numbers else value
        if field == "status":
            return str(statuses.get(value, value))
        return value

    return [
        HistoryRow(
            at=row.at,
            who=row.actor_label or row.actor_kind,
            label=_HISTORY_LABELS[row.field],
            old=shown(row.field, row.old),
            new=shown(row.field, row.new),
            on_case=numbers.get(row.case_id) if row.case_id != case.pk else None,
        )
        for row in rows
    ]


def is_risk_case(*, case: Case) -> bool:
    """Appeals and questions about an intervention: risk agents answer them too."""
    context = case.source_context if isinstance(case.source_context, dict) else {}
    if context.get("queue") == "risk" or context.get("source") == RISK_SUPPORT_SOURCE:
        return True
    return RiskCaseLink.objects.filter(case_id=case.pk).exists()
