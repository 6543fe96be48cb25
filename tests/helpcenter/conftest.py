"""Support-site fixtures: the real content loaded once per module, and small articles
made through the services."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from connect_support.helpcenter.content_version import content_version_bump
from connect_support.helpcenter.loader import LoadReport, load_content
from connect_support.helpcenter.models import Article, ArticleFeedback, ArticleRevision, Topic
from connect_support.helpcenter.search import search_backend
from connect_support.helpcenter.services import ArticleContent, article_save, topic_upsert


@pytest.fixture(autouse=True)
def _fresh_content_version() -> None:
    # Pages cached by an earlier test describe a database that no longer exists.
    content_version_bump()


def wipe_helpcenter() -> None:
    ArticleFeedback.objects.all().delete()
    ArticleRevision.objects.all().delete()
    Article.objects.all().delete()
    Topic.objects.all().delete()
    search_backend().rebuild()


@pytest.fixture(scope="module")
def corpus(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadReport]:
    """The project's own content/ folder, loaded once for the tests of a module."""
    with django_db_blocker.unblock():
        wipe_helpcenter()
        report = load_content()
        content_version_bump()
        yield report
        wipe_helpcenter()


def make_topic(slug: str = "payouts", title: str | None = None) -> Topic:
    topic, _changed = topic_upsert(
        slug=slug, title=title or slug.title(), description=f"All about {slug}.", icon="bank", order=1
    )
    return topic


def make_article(
    *,
    topic: Topic | None = None,
    slug: str = "late-payout",
    title: str = "My payout is late",
    summary: str = "What to do when a payout has not arrived.",
    body: str = "Payouts usually arrive in **two business days**.\n\n## Check your bank\n\nLook again tomorrow.\n",
    status: str = Article.Status.PUBLISHED,
    locale: str = "en",
    keywords: list[str] | None = None,
    contexts: list[str] | None = None,
    related: list[str] | None = None,
) -> Article:
    return article_save(
        content=ArticleContent(
            topic=topic or make_topic(),
            slug=slug,
            locale=locale,
            title=title,
            summary=summary,
            body_markdown=body,
            status=status,
            keywords=keywords or [],
            contexts=contexts or [],
            related_slugs=related or [],
            updated_on=datetime.date(2026, 11, 1),
        ),
        author_name="tests",
    )
