"""Realistic support activity over the last weeks, written through the real models, for the
analytics tests and the page's screenshot."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount
from connect_support.analytics.models import DailyCount
from connect_support.cases.models import Case, Deflection
from connect_support.cases.services import MessageInput, case_create
from connect_support.chat.models import Conversation
from connect_support.csat.models import Rating
from connect_support.helpcenter.models import Article, ArticleFeedback, Topic
from tests.factories import make_account, platform_with_keys

_keys = itertools.count(1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def some_account() -> ConnectedAccount:
    return make_account(platform_with_keys().platform, email=f"owner{next(_keys)}@shop.example")


def add_case(
    *,
    created: datetime,
    channel: str = "email",
    topic: str = "payouts",
    component: str = "",
    responded_after: timedelta | None = None,
    solved_after: timedelta | None = None,
) -> Case:
    case = case_create(
        requester_email=f"person{next(_keys)}@shop.example",
        requester_name="Robin Owner",
        subject="Where is my payout?",
        message=MessageInput(body_text="My payout has not arrived."),
        channel=channel,
        topic=topic,
        source_context={"component": component} if component else {},
        acknowledge=False,
    ).case
    Case.objects.filter(pk=case.pk).update(
        created_at=created,
        first_responded_at=created + responded_after if responded_after else None,
        solved_at=created + solved_after if solved_after else None,
        status=Case.Status.SOLVED if solved_after else Case.Status.OPEN,
    )
    case.refresh_from_db()
    return case


def add_chat(
    *,
    account: ConnectedAccount,
    created: datetime,
    topic: str = "payouts",
    wait: timedelta | None = timedelta(minutes=2),
    component: str = "",
) -> Conversation:
    return Conversation.objects.create(
        account=account,
        requester_key=f"{account.pk}:seed{next(_keys)}",
        topic=topic,
        first_message="Hello",
        source_context={"component": component} if component else {},
        status=Conversation.Status.ENDED,
        created_at=created,
        queued_at=created,
        assigned_at=created + wait if wait is not None else None,
        last_activity_at=created + timedelta(minutes=20),
        ended_at=created + timedelta(minutes=20),
        end_reason=Conversation.EndReason.CUSTOMER,
    )


def add_rating(*, case: Case | None = None, chat: Conversation | None = None, score: int, on: datetime) -> Rating:
    return Rating.objects.create(
        case=case,
        conversation=chat,
        channel=Rating.Channel.CASE if case else Rating.Channel.CHAT,
        topic=(case.topic if case else chat.topic if chat else ""),
        score=score,
        comment="",
        created_at=on,
        updated_at=on,
    )


def published_article(topic: str = "payouts", slug: str = "payout-timing") -> Article:
    topic_row, _ = Topic.objects.get_or_create(slug=topic, defaults={"title": topic.capitalize()})
    article, _ = Article.objects.get_or_create(
        locale="en",
        slug=slug,
        defaults={
            "topic": topic_row,
            "title": "When payouts arrive",
            "status": "published",
            "updated_on": date.today(),
        },
    )
    return article


def add_helpful_vote(*, article: Article, on: datetime) -> None:
    vote = ArticleFeedback.objects.create(article=article, visitor_digest=f"{next(_keys):064d}", helpful=True)
    ArticleFeedback.objects.filter(pk=vote.pk).update(created_at=on)


def add_counts(*, day: date, searches: int, views: int, topic: str = "payouts") -> None:
    DailyCount.objects.create(day=day, kind=DailyCount.Kind.SEARCH, topic="", count=searches)
    DailyCount.objects.create(day=day, kind=DailyCount.Kind.ARTICLE_VIEW, topic=topic, count=views)


@dataclass(frozen=True)
class Seeded:
    cases: int
    chats: int
    ratings: int


def seed_month(*, today: date | None = None, days: int = 30, seed: int = 7) -> Seeded:
    """About a month of activity: more email than chat, a few topics and components, waits,
    response times, ratings, self-service counts. Deterministic for a given ``seed``."""
    rng = random.Random(seed)
    today = today or timezone.now().date()
    account = some_account()
    article = published_article()
    topics = ["payouts", "payouts", "verification", "disputes", "refunds", "accounts", ""]
    components = ["account_onboarding", "account_management", "notification_banner", ""]
    cases = chats = ratings = 0
    for offset in range(days):
        day = today - timedelta(days=days - 1 - offset)
        weekday_factor = 0.5 if day.weekday() >= 5 else 1.0
        for _ in range(int(rng.randint(2, 6) * weekday_factor) + 1):
            created = at(day, rng.randint(0, 12), rng.randint(0, 59))
            solved = rng.random() < 0.7
            case = add_case(
                created=created,
                channel=rng.choice(["email", "email", "web"]),
                topic=rng.choice(topics),
                component=rng.choice(components),
                responded_after=timedelta(hours=rng.uniform(0.5, 10)),
                solved_after=timedelta(hours=rng.uniform(11, 40)) if solved else None,
            )
            cases += 1
            if solved and rng.random() < 0.6:
                add_rating(case=case, score=rng.choice([5, 5, 4, 4, 4, 3, 2, 1]), on=created + timedelta(hours=41))
                ratings += 1
        for _ in range(int(rng.randint(1, 4) * weekday_factor)):
            chat = add_chat(
                account=account,
                created=at(day, rng.randint(8, 16), rng.randint(0, 59)),
                topic=rng.choice(topics),
                component=rng.choice(components),
                wait=timedelta(seconds=rng.randint(20, 600)),
            )
            chats += 1
            if rng.random() < 0.5:
                add_rating(chat=chat, score=rng.choice([5, 4, 4, 3]), on=chat.ended_at or chat.created_at)
                ratings += 1
        add_counts(day=day, searches=rng.randint(30, 60), views=rng.randint(50, 120))
        for _ in range(rng.randint(0, 3)):
            Deflection.objects.create(at=at(day, 10), topic="payouts", article_url="/embedded-connect/payouts/x/")
        for _ in range(rng.randint(0, 4)):
            add_helpful_vote(article=article, on=at(day, 11))
    return Seeded(cases, chats, ratings)
