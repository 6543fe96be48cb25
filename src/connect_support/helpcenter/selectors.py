"""Reads for the support site: what a visitor may see, in their language.

Visitors see published articles only. An article missing in the visitor's language is
shown in English (the default locale), so every locale has the full site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from connect_support.helpcenter.content_version import content_version
from connect_support.helpcenter.locales import DEFAULT_LOCALE
from connect_support.helpcenter.models import Article, ArticleRevision, Topic
from connect_support.helpcenter.search import SearchHit, search_backend
from connect_support.helpcenter.search.planning import planned_search
from connect_support.helpcenter.search.query import ConceptGroup, ParsedQuery, parse_query
from connect_support.helpcenter.search.spelling import correct_words, unknown_words

MAX_SEARCH_LIMIT = 50
# The title-similarity fallback runs on at most this many unknown words.
MAX_SIMILAR_TITLE_WORDS = 3


def _locales(locale: str) -> tuple[str, ...]:
    return (locale,) if locale == DEFAULT_LOCALE else (locale, DEFAULT_LOCALE)


def _published(locale: str) -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED, locale__in=_locales(locale)).select_related("topic")


def _prefer_locale(articles: Iterable[Article], locale: str) -> list[Article]:
    """One article per slug, in the visitor's language when there is a translation."""
    chosen: dict[str, Article] = {}
    for article in articles:
        current = chosen.get(article.slug)
        if current is None or (article.locale == locale and current.locale != locale):
            chosen[article.slug] = article
    return list(chosen.values())


def topic_list(*, locale: str) -> list[Topic]:
    """Topics in order, each with ``article_count`` (published, any language shown)."""
    return list(
        Topic.objects.annotate(
            article_count=Count(
                "articles",
                filter=Q(articles__status=Article.Status.PUBLISHED, articles__locale=DEFAULT_LOCALE),
            )
        )
    )


def topic_get(*, slug: str) -> Topic | None:
    return Topic.objects.filter(slug=slug).first()


def topic_articles(*, topic: Topic, locale: str) -> list[Article]:
    articles = _prefer_locale(_published(locale).filter(topic=topic).order_by("title"), locale)
    return sorted(articles, key=lambda article: article.title.casefold())


def article_for_page(*, topic: Topic, slug: str, locale: str) -> Article | None:
    candidates = _published(locale).filter(topic=topic, slug=slug)
    chosen = _prefer_locale(candidates, locale)
    return chosen[0] if chosen else None


def related_questions(*, article: Article, locale: str) -> list[Article]:
    """The article's related questions in the written order; missing ones are skipped."""
    slugs = [slug for slug in article.related_slugs if slug != article.slug]
    if not slugs:
        return []
    by_slug = {found.slug: found for found in _prefer_locale(_published(locale).filter(slug__in=slugs), locale)}
    return [by_slug[slug] for slug in slugs if slug in by_slug]


def popular_articles(*, locale: str, limit: int = 8) -> list[Article]:
    """Most found helpful first; without votes, the articles tied to the most tasks."""
    candidates = _prefer_locale(_published(locale).order_by("topic__order", "title"), locale)
    ranked = sorted(
        candidates,
        key=lambda article: (-(article.helpful_yes - article.helpful_no), -len(article.contexts), article.topic.order),
    )
    # At most two per topic, so the home page shows the breadth of the site.
    per_topic: dict[int, int] = {}
    chosen = []
    for article in ranked:
        if per_topic.get(article.topic_id, 0) >= 2:
            continue
        per_topic[article.topic_id] = per_topic.get(article.topic_id, 0) + 1
        chosen.append(article)
        if len(chosen) == limit:
            break
    return chosen


def articles_for_context(*, tags: tuple[str, ...], locale: str, limit: int = 6) -> list[Article]:
    """Articles tagged for any of ``tags``; those matching the first tag come first."""
    candidates = [
        article
        for article in _prefer_locale(_published(locale).order_by("topic__order", "title"), locale)
        if set(article.contexts) & set(tags)
    ]

    def rank(article: Article) -> tuple[int, str]:
        positions = [tags.index(tag) for tag in article.contexts if tag in tags]
        return (min(positions), article.title.casefold())

    return sorted(candidates, key=rank)[:limit]


def article_revisions(*, article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.select_related("author").order_by("-number")


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    # Set when misspelled words were replaced to find these results.
    corrected_query: str | None = None


def _corrected(parsed: ParsedQuery, corrections: dict[str, str]) -> ParsedQuery:
    groups = []
    for group in parsed.groups:
        first = tuple(corrections.get(word, word) for word in group.alternatives[0])
        groups.append(ConceptGroup(alternatives=(first, *group.alternatives[1:]), prefix=False))
    return ParsedQuery(text=parsed.text, groups=tuple(groups))


def search_articles(*, q: str, locale: str, limit: int = 10, typing: bool = False) -> SearchResults:
    """Published articles for a visitor's query, best first, one per slug."""
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    parsed = parse_query(q, typing=typing)
    if parsed.is_empty:
        return SearchResults(query=q, hits=[])
    backend = search_backend()
    locales = _locales(locale)
    # Fetch extra rows when two languages compete for the same slug.
    fetch = limit * len(locales)
    hits = planned_search(backend, query=parsed, locales=locales, limit=fetch)
    corrected_text = None
    if not hits:
        corrections = correct_words(words=parsed.words(), version=content_version())
        if corrections:
            fixed = _corrected(parsed, corrections)
            hits = planned_search(backend, query=fixed, locales=locales, limit=fetch)
            if hits:
                corrected_text = " ".join(corrections.get(word, word) for word in parsed.words())
    if not hits:
        # Titles that look like the misspelled words ("chargbak"), when there are a few:
        # matching a whole sentence against every title's trigrams costs far more than
        # the search and finds nothing a reader would take for an answer.
        unknown = unknown_words(words=parsed.words(), version=content_version())
        if 0 < len(unknown) <= MAX_SIMILAR_TITLE_WORDS:
            hits = backend.similar_titles(text=" ".join(unknown), locales=locales, limit=fetch)
    seen: dict[str, SearchHit] = {}
    for hit in hits:
        if hit.slug not in seen or (hit.locale == locale and seen[hit.slug].locale != locale):
            seen[hit.slug] = hit
    ordered = [hit for hit in hits if seen.get(hit.slug) is hit]
    return SearchResults(query=q, hits=ordered[:limit], corrected_query=corrected_text)
