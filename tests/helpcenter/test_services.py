from __future__ import annotations

import pytest

from connect_support.helpcenter.content_version import content_version
from connect_support.helpcenter.models import Article
from connect_support.helpcenter.selectors import article_for_page, popular_articles, related_questions
from connect_support.helpcenter.services import (
    ArticleContent,
    article_restore_revision,
    article_save,
    article_set_status,
)
from tests.helpcenter.conftest import make_article, make_topic

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_save_keeps_a_revision_and_any_revision_can_be_restored() -> None:
    article = make_article(title="First title", body="First body.")
    content = ArticleContent.of(article)
    content.title = "Second title"
    content.body_markdown = "Second body with <script>x</script>."
    article = article_save(content=content, article=article, author_name="editor", note="rewrite")
    assert "<script>" not in article.body_html
    revisions = list(article.revisions.order_by("number"))
    assert [(r.number, r.title) for r in revisions] == [(1, "First title"), (2, "Second title")]
    assert revisions[1].note == "rewrite"

    restored = article_restore_revision(revision=revisions[0])
    assert restored.title == "First title"
    assert "First body." in restored.body_html
    # Restoring is itself a change: history only grows.
    assert list(restored.revisions.values_list("number", "note")) == [
        (3, "restored revision 1"),
        (2, "rewrite"),
        (1, ""),
    ]


def test_publish_is_visible_at_once_and_bumps_the_content_version() -> None:
    topic = make_topic()
    draft = make_article(topic=topic, status=Article.Status.DRAFT)
    assert article_for_page(topic=topic, slug=draft.slug, locale="en") is None
    before = content_version()
    published = article_set_status(article=draft, status=Article.Status.PUBLISHED)
    assert content_version() != before
    assert published.published_at is not None
    assert article_for_page(topic=topic, slug=draft.slug, locale="en") == published
    # Saving a draft that was never published changes no page: no bump.
    quiet = content_version()
    make_article(topic=topic, slug="other-draft", status=Article.Status.DRAFT)
    assert content_version() == quiet


def test_related_questions_keep_their_order_and_skip_what_is_not_published() -> None:
    topic = make_topic()
    make_article(topic=topic, slug="a-one", title="One")
    make_article(topic=topic, slug="a-two", title="Two", status=Article.Status.DRAFT)
    make_article(topic=topic, slug="a-three", title="Three")
    main = make_article(topic=topic, slug="main", related=["a-three", "a-two", "missing", "a-one", "main"])
    assert [article.slug for article in related_questions(article=main, locale="en")] == ["a-three", "a-one"]


def test_popular_articles_follow_helpful_votes() -> None:
    topic = make_topic()
    make_article(topic=topic, slug="meh", title="Meh")
    liked = make_article(topic=topic, slug="liked", title="Liked")
    Article.objects.filter(pk=liked.pk).update(helpful_yes=5)
    assert popular_articles(locale="en")[0].slug == "liked"
