"""Writes to the support site's content: topics, articles, revisions and feedback.

Every change that can alter a published page keeps the search index current in the same
transaction and bumps the content version after commit, so that cached pages are
replaced at once in every process.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field, fields

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from connect_support.helpcenter.content_version import content_version_bump
from connect_support.helpcenter.models import Article, ArticleFeedback, ArticleRevision, Topic
from connect_support.helpcenter.rendering import render_markdown
from connect_support.helpcenter.search import search_backend

FEEDBACK_LIMIT_PER_IP = 30
FEEDBACK_LIMIT_WINDOW_SECONDS = 600
MAX_COMMENT_CHARS = 2000


class FeedbackRejectedError(Exception):
    """A vote that cannot be counted; the message is safe to show."""


@dataclass
class ArticleContent:
    """Everything an editor or the loader can set on an article."""

    topic: Topic
    slug: str
    locale: str
    title: str
    summary: str = ""
    body_markdown: str = ""
    status: str = Article.Status.DRAFT
    keywords: list[str] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)
    related_slugs: list[str] = field(default_factory=list)
    updated_on: datetime.date = field(default_factory=datetime.date.today)

    @classmethod
    def of(cls, article: Article) -> ArticleContent:
        return cls(**{f.name: getattr(article, f.name) for f in fields(cls)})

    def differs_from(self, article: Article) -> bool:
        return any(getattr(article, f.name) != getattr(self, f.name) for f in fields(self))


def _bump_after_commit() -> None:
    transaction.on_commit(content_version_bump)


@transaction.atomic
def topic_upsert(*, slug: str, title: str, description: str, icon: str, order: int) -> tuple[Topic, bool]:
    """Create the topic or bring it to the given state; returns (topic, changed)."""
    topic = Topic.objects.select_for_update().filter(slug=slug).first()
    wanted = {"title": title, "description": description, "icon": icon, "order": order}
    if topic is None:
        topic = Topic.objects.create(slug=slug, **wanted)
        _bump_after_commit()
        return topic, True
    if all(getattr(topic, name) == value for name, value in wanted.items()):
        return topic, False
    for name, value in wanted.items():
        setattr(topic, name, value)
    topic.save()
    _bump_after_commit()
    return topic, True


def _record_revision(*, article: Article, author: User | None, author_name: str, note: str) -> ArticleRevision:
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    return ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        author=author,
        author_name=author_name or (author.get_full_name() or author.get_username() if author else ""),
        note=note[:200],
        topic_slug=article.topic.slug,
        title=article.title,
        summary=article.summary,
        body_markdown=article.body_markdown,
        status=article.status,
        keywords=article.keywords,
        contexts=article.contexts,
        related_slugs=article.related_slugs,
        updated_on=article.updated_on,
    )


@transaction.atomic
def article_save(
    *,
    content: ArticleContent,
    article: Article | None = None,
    author: User | None = None,
    author_name: str = "",
    note: str = "",
) -> Article:
    """Create or change an article: render, index, keep a revision, invalidate pages."""
    if article is None:
        article = Article()
        was_published = False
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        was_published = article.status == Article.Status.PUBLISHED
    for name in (f.name for f in fields(ArticleContent)):
        setattr(article, name, getattr(content, name))
    rendered = render_markdown(markdown=article.body_markdown)
    article.body_html = rendered.html
    article.body_text = rendered.text
    if article.status == Article.Status.PUBLISHED and not was_published:
        article.published_at = timezone.now()
    article.save()
    search_backend().index_article(article=article)
    _record_revision(article=article, author=author, author_name=author_name, note=note)
    if was_published or article.status == Article.Status.PUBLISHED:
        _bump_after_commit()
    return article


def article_set_status(*, article: Article, status: str, author: User | None = None, note: str = "") -> Article:
    """Publish, archive or return an article to draft."""
    content = ArticleContent.of(article)
    content.status = status
    return article_save(content=content, article=article, author=author, note=note or f"status: {status}")


def article_restore_revision(*, revision: ArticleRevision, author: User | None = None) -> Article:
    """Make an earlier revision the current content, as a new revision (history is kept)."""
    article = revision.article
    topic = Topic.objects.get(slug=revision.topic_slug)
    content = ArticleContent(
        topic=topic,
        slug=article.slug,
        locale=article.locale,
        title=revision.title,
        summary=revision.summary,
        body_markdown=revision.body_markdown,
        status=revision.status,
        keywords=list(revision.keywords),
        contexts=list(revision.contexts),
        related_slugs=list(revision.related_slugs),
        updated_on=revision.updated_on,
    )
    return article_save(content=content, article=article, author=author, note=f"restored revision {revision.number}")


@transaction.atomic
def article_delete(*, article: Article) -> None:
    """Delete an article with its revisions and feedback (archiving keeps them instead)."""
    article_id = article.pk
    search_backend().remove_article(article_id=article_id)
    ArticleRevision.objects.filter(article_id=article_id).delete()
    Article.objects.filter(pk=article_id).delete()
    _bump_after_commit()


def visitor_digest(visitor_token: str) -> str:
    return hashlib.sha256(visitor_token.encode()).hexdigest()


def _check_feedback_rate(client_ip: str) -> None:
    key = f"helpcenter:feedback-rate:{hashlib.sha256(client_ip.encode()).hexdigest()[:32]}"
    cache.add(key, 0, FEEDBACK_LIMIT_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, FEEDBACK_LIMIT_WINDOW_SECONDS)
        count = 1
    if count > FEEDBACK_LIMIT_PER_IP:
        raise FeedbackRejectedError("Too many answers from your network. Please try again in a few minutes.")


def feedback_record(*, article: Article, visitor_token: str, helpful: bool, client_ip: str) -> bool:
    """Count one visitor's vote once. Returns False when this visitor had already voted."""
    _check_feedback_rate(client_ip)
    try:
        with transaction.atomic():
            digest = visitor_digest(visitor_token)
            ArticleFeedback.objects.create(article=article, visitor_digest=digest, helpful=helpful)
            counter = "helpful_yes" if helpful else "helpful_no"
            Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    except IntegrityError:
        return False
    return True


@transaction.atomic
def feedback_add_comment(*, article: Article, visitor_token: str, comment: str) -> bool:
    """Attach a comment to this visitor's vote; False if they have not voted."""
    updated = ArticleFeedback.objects.filter(article=article, visitor_digest=visitor_digest(visitor_token)).update(
        comment=comment.strip()[:MAX_COMMENT_CHARS]
    )
    return updated > 0
