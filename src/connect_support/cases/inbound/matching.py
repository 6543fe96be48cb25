"""Which case an inbound message belongs to.

In order: the case token in a recipient address (``support+<token>@``), then the
Message-IDs in In-Reply-To and References against the messages and mail of our cases,
then a ``[#number]`` subject tag, trusted only when the sender is the case's requester
(subjects are easy to copy; reply addresses and Message-IDs are not guessable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from connect_support.cases.addresses import number_in_subject, token_from_address
from connect_support.cases.inbound.mime import ParsedMail
from connect_support.cases.models import Case, CaseMessage, OutboundEmail

# What threading reads of a case; the rest loads only if needed. The row is locked: the
# caller runs in a transaction and adds the message under that lock.
_FIELDS = (
    "id",
    "number",
    "status",
    "requester_email",
    "requester_name",
    "solved_at",
    "updated_at",
    "version",
    "merged_into",
)
# How many merges deep mail follows a merged case to the case that took its thread.
_MAX_MERGE_HOPS = 10


def _locked() -> QuerySet[Case]:
    return Case.objects.select_for_update().only(*_FIELDS)


@dataclass(frozen=True)
class CaseMatch:
    case: Case
    how: str  # "reply address", "in-reply-to", "subject tag"


def _by_token(addresses: Iterable[str]) -> Case | None:
    tokens = {token for token in (token_from_address(address) for address in addresses) if token}
    if not tokens:
        return None
    return _locked().filter(reply_token__in=tokens).order_by("-created_at").first()


def _by_message_ids(message_ids: list[str]) -> Case | None:
    wanted = [mid for mid in message_ids if mid][-20:]
    if not wanted:
        return None
    # The most recent reference is the most specific one.
    for mid in reversed(wanted):
        found = (
            CaseMessage.objects.filter(message_id=mid).values_list("case_id", flat=True).first()
            or OutboundEmail.objects.filter(message_id=mid).values_list("case_id", flat=True).first()
        )
        if found:
            return _locked().filter(pk=found).first()
    return None


def _survivor(match: CaseMatch) -> CaseMatch:
    """Mail for a merged case goes to the case it was merged into."""
    case, hops = match.case, 0
    while case.merged_into_id is not None and hops < _MAX_MERGE_HOPS:
        survivor = _locked().filter(pk=case.merged_into_id).first()
        if survivor is None:
            break
        case, hops = survivor, hops + 1
    if hops == 0:
        return match
    return CaseMatch(case, f"{match.how}, merged case")


def find_case(parsed: ParsedMail, *, envelope_to: Iterable[str] = ()) -> CaseMatch | None:
    """The case this message continues, locked for the caller's transaction, or None."""
    case = _by_token([*envelope_to, *parsed.recipients])
    if case is not None:
        return _survivor(CaseMatch(case, "reply address"))
    case = _by_message_ids([*parsed.references, *parsed.in_reply_to])
    if case is not None:
        return _survivor(CaseMatch(case, "in-reply-to"))
    number = number_in_subject(parsed.subject)
    if number is not None and parsed.from_address:
        case = _locked().filter(number=number, requester_email=parsed.from_address).first()
        if case is not None:
            return _survivor(CaseMatch(case, "subject tag"))
    return None
