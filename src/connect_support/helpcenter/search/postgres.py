"""PostgreSQL full-text search.

A side table holds one row per published article with a weighted ``tsvector`` (title A,
keywords B, summary C, body D) built with the text-search configuration of the article's
language, under a GIN index; titles also carry a trigram index (``pg_trgm``) for
misspellings. Ranking is ``ts_rank``; snippets come from ``ts_headline`` over the first
characters of the body (it re-parses the text), computed only for the rows shown.
"""

from __future__ import annotations

from django.db import connection

from connect_support.helpcenter.models import Article
from connect_support.helpcenter.search import MARK_END, MARK_START, SNIPPET_SCAN_CHARS, SearchHit, snippet_to_html
from connect_support.helpcenter.search.query import ConceptGroup, ParsedQuery

TABLE = "helpcenter_search_document"
CREATE_STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        article_id bigint PRIMARY KEY,
        locale varchar(10) NOT NULL,
        topic varchar(40) NOT NULL,
        slug varchar(120) NOT NULL,
        config regconfig NOT NULL,
        title text NOT NULL,
        summary text NOT NULL,
        body text NOT NULL,
        document tsvector NOT NULL
    )
    """,
    f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin (document)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_title_trgm ON {TABLE} USING gin (title gin_trgm_ops)",
)
DROP_STATEMENTS = (f"DROP TABLE IF EXISTS {TABLE}",)

# Text-search configurations per article language; anything else is indexed unstemmed.
CONFIGS = {"en": "english", "fr": "french"}
_WEIGHTS = "'{0.1, 0.3, 0.5, 1.0}'"  # D, C, B, A: body, summary, keywords, title
_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=28, MinWords=12, MaxFragments=1"


def _config(locale: str) -> str:
    return CONFIGS.get(locale, "simple")


def tsquery_text(query: ParsedQuery, *, match_all: bool = False) -> str:
    """The ``to_tsquery`` input: groups OR-ed, phrases with ``<->``, prefixes with ``:*``.

    Words are letters and digits only, so none of ``& | ! ( ) : * <``  can come from the
    visitor; the structure is ours alone.
    """
    groups = []
    for group in query.groups:
        terms = []
        for index, words in enumerate(group.alternatives):
            term = " <-> ".join(words)
            if group.prefix and index == 0:
                term += ":*"
            terms.append(f"({term})" if len(words) > 1 else term)
        expression = "(" + " | ".join(terms) + ")"
        if match_all:
            groups.append(expression)
        else:
            groups.extend([expression, expression] if group.is_phrase else [expression])
    return (" & " if match_all else " | ").join(groups)


class PostgresSearchBackend:
    vendor = "postgresql"

    def index_article(self, *, article: Article) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = %s", [article.pk])  # noqa: S608
            if article.status != Article.Status.PUBLISHED:
                return
            config = _config(article.locale)
            cursor.execute(
                f"INSERT INTO {TABLE} (article_id, locale, topic, slug, config, title, summary, body, document)"  # noqa: S608
                " VALUES (%s, %s, %s, %s, %s::regconfig, %s, %s, %s,"
                " setweight(to_tsvector(%s::regconfig, %s), 'A')"
                " || setweight(to_tsvector(%s::regconfig, %s), 'B')"
                " || setweight(to_tsvector(%s::regconfig, %s), 'C')"
                " || setweight(to_tsvector(%s::regconfig, %s), 'D'))",
                [
                    article.pk,
                    article.locale,
                    article.topic.slug,
                    article.slug,
                    config,
                    article.title,
                    article.summary,
                    article.body_text,
                    config,
                    article.title,
                    config,
                    " ".join(article.keywords),
                    config,
                    article.summary,
                    config,
                    article.body_text,
                ],
            )

    def remove_article(self, *, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = %s", [article_id])  # noqa: S608

    def rebuild(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        count = 0
        published = Article.objects.filter(status=Article.Status.PUBLISHED).select_related("topic")
        for article in published.iterator(chunk_size=500):
            self.index_article(article=article)
            count += 1
        return count

    def _locale_filter(self, locales: tuple[str, ...], text: str) -> tuple[str, list[str]]:
        # One indexable condition per language, OR-ed: each uses the GIN index.
        parts = []
        params: list[str] = []
        for locale in locales:
            parts.append("(locale = %s AND document @@ to_tsquery(%s::regconfig, %s))")
            params.extend([locale, _config(locale), text])
        return " OR ".join(parts), params

    def count_matches(self, *, group: ConceptGroup) -> int:
        text = tsquery_text(ParsedQuery(text="", groups=(group,)))
        where, params = self._locale_filter(tuple(CONFIGS), text)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)  # noqa: S608
            return int(cursor.fetchone()[0])

    def search(
        self, *, query: ParsedQuery, locales: tuple[str, ...], limit: int, match_all: bool = False
    ) -> list[SearchHit]:
        if query.is_empty:
            return []
        text = tsquery_text(query, match_all=match_all)
        where, where_params = self._locale_filter(locales, text)
        with connection.cursor() as cursor:
            # Rank in the CTE and cut headlines only for the rows shown: ts_headline
            # re-parses the body and is the most expensive step.
            cursor.execute(
                f"""
                WITH ranked AS (
                    SELECT article_id, locale, topic, slug, title, summary, body, config,
                           to_tsquery(config, %s) AS q,
                           ts_rank({_WEIGHTS}, document, to_tsquery(config, %s), 1) AS rank
                    FROM {TABLE}
                    WHERE ({where}) AND EXISTS (
                        SELECT 1 FROM helpcenter_article AS article
                        WHERE article.id = {TABLE}.article_id AND article.status = 'published'
                    )
                    ORDER BY rank DESC, article_id
                    LIMIT %s
                )
                SELECT article_id, slug, topic, locale, title, ts_headline(config, left(body, %s), q, %s), summary
                FROM ranked ORDER BY rank DESC, article_id
                """,  # noqa: S608 (only placeholders are filled from the request)
                [text, text, *where_params, limit, SNIPPET_SCAN_CHARS, _HEADLINE],
            )
            rows = cursor.fetchall()
        hits = []
        for article_id, slug, topic, locale, title, headline, summary in rows:
            snippet = headline if MARK_START in headline else summary
            hits.append(
                SearchHit(
                    article_id=article_id,
                    slug=slug,
                    topic_slug=topic,
                    locale=locale,
                    title=title,
                    snippet_html=snippet_to_html(snippet),
                )
            )
        return hits

    def similar_titles(self, *, text: str, locales: tuple[str, ...], limit: int) -> list[SearchHit]:
        placeholders = ", ".join(["%s"] * len(locales))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT article_id, slug, topic, locale, title, summary FROM {TABLE}"  # noqa: S608
                f" WHERE locale IN ({placeholders}) AND %s <%% title AND EXISTS (SELECT 1 FROM helpcenter_article"
                f" AS article WHERE article.id = {TABLE}.article_id AND article.status = 'published')"
                " ORDER BY word_similarity(%s, title) DESC, article_id LIMIT %s",
                [*locales, text[:100], text[:100], limit],
            )
            rows = cursor.fetchall()
        return [
            SearchHit(
                article_id=article_id,
                slug=slug,
                topic_slug=topic,
                locale=locale,
                title=title,
                snippet_html=snippet_to_html(summary),
            )
            for article_id, slug, topic, locale, title, summary in rows
        ]
