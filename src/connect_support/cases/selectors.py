"""Reads of cases. Account users reach only their account's cases (through identity's
``scoped``); a private link reaches exactly one case."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from connect_support.cases.addresses import private_link_read
from connect_support.cases.models import Attachment, Case, CaseChange, CaseMessage, Deflection, InboundEmail
from connect_support.identity.access import Actor, scoped


def cases_visible(*, actor: Actor) -> QuerySet[Case]:
    return scoped(actor=actor, queryset=Case.objects.all(), permission="cases.work")


def case_list_for_actor(*, actor: Actor, limit: int = 100) -> list[Case]:
    return list(cases_visible(actor=actor).order_by("-updated_at", "-id")[:limit])


def case_get_for_actor(*, actor: Actor, case_id: str) -> Case | None:
    if not case_id or len(case_id) > 40:
        return None
    return cases_visible(actor=actor).filter(pk=case_id).first()


def case_get_by_private_token(*, token: str) -> Case | None:
    """The case a private link names, unless the link was revoked (version bumped)."""
    found = private_link_read(token)
    if found is None:
        return None
    case_id, version = found
    return Case.objects.filter(pk=case_id, link_version=version).first()


def case_thread(*, case: Case, include_internal: bool = False) -> list[CaseMessage]:
    messages = CaseMessage.objects.filter(case=case).prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("created_at"))
    )
    if not include_internal:
        messages = messages.filter(internal=False)
    return list(messages.order_by("created_at", "id"))


def case_history(*, case: Case) -> list[CaseChange]:
    return list(CaseChange.objects.filter(case=case).select_related("actor_user").order_by("at", "id"))


def attachment_get(*, case: Case, attachment_id: str) -> Attachment | None:
    return Attachment.objects.filter(case=case, pk=attachment_id, message__internal=False).first()


def inbound_mail_needing_attention(*, limit: int = 100) -> list[InboundEmail]:
    """Quarantined mail first, then mail we ignored, newest first: what the console shows."""
    statuses = [InboundEmail.Status.QUARANTINED, InboundEmail.Status.IGNORED]
    return list(
        InboundEmail.objects.filter(status__in=statuses)
        .defer("raw")
        .select_related("case")
        .order_by("-received_at")[:limit]
    )


def inbound_mail_get(*, inbound_id: str) -> InboundEmail | None:
    return InboundEmail.objects.filter(pk=inbound_id).select_related("case").first()


def deflection_count(*, since: datetime | None = None) -> int:
    rows = Deflection.objects.all()
    if since is not None:
        rows = rows.filter(at__gte=since)
    return rows.count()


def article_titles(*, paths: list[str]) -> list[dict[str, str]]:
    """``[{"url", "title"}]`` for support-site article paths that exist, in the given order."""
    from connect_support.helpcenter.models import Article

    wanted: dict[tuple[str, str], str] = {}
    for path in paths:
        parts = path.strip("/").split("/")
        if len(parts) == 3:
            wanted[(parts[1], parts[2])] = path
    if not wanted:
        return []
    slugs = {slug for _topic, slug in wanted}
    titles: dict[str, str] = {}
    for article in Article.objects.filter(slug__in=slugs, status=Article.Status.PUBLISHED).select_related("topic"):
        found = wanted.get((article.topic.slug, article.slug))
        if found and (found not in titles or article.locale == "en"):
            titles[found] = article.title
    return [{"url": path, "title": titles[path]} for path in paths if path in titles]
