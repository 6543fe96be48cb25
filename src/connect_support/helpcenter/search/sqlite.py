"""SQLite FTS5 search.

One FTS5 table holds the published articles (rowid = article id): title, keywords,
summary and body are indexed with the porter stemmer over unicode61 (diacritics folded),
with prefix indexes so that type-ahead queries stay fast. Ranking is bm25 with the title
weighted ten times the body.

Speed notes (measured, see docs/search.md; large sites: search.planning): the locale is an indexed column matched
inside the FTS expression, because filtering on an unindexed column reads every matching
row; the ranking query touches nothing but the FTS index; and snippets are cut in Python
from the few rows shown, because FTS5's ``snippet()`` re-runs the whole query.
"""

from __future__ import annotations

from django.db import connection

from connect_support.helpcenter.models import Article
from connect_support.helpcenter.search import SNIPPET_SCAN_CHARS, SearchHit, marked_snippet, snippet_to_html
from connect_support.helpcenter.search.planning import RANKED_ROWS
from connect_support.helpcenter.search.query import ConceptGroup, ParsedQuery

TABLE = "helpcenter_article_fts"
CREATE_TABLE = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
    title, keywords, summary, body, locale,
    topic UNINDEXED, slug UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4'
)
"""
DROP_TABLE = f"DROP TABLE IF EXISTS {TABLE}"
# Column weights for bm25, in column order (the locale column never counts).
_WEIGHTS = "10.0, 6.0, 3.0, 1.0, 0.0, 0.0, 0.0"
_TEXT_COLUMNS = "{title keywords summary body}"


def _fts_term(words: tuple[str, ...], prefix: bool) -> str:
    # Words are letters and digits only (see query.tokenize); quoting makes each one a
    # literal term, so words like AND, NEAR or NOT are never operators.
    quoted = '"' + " ".join(words) + '"'
    return quoted + "*" if prefix else quoted


def fts_match_expression(query: ParsedQuery, locales: tuple[str, ...] = (), *, match_all: bool = False) -> str:
    groups = []
    for group in query.groups:
        terms = [_fts_term(words, group.prefix and index == 0) for index, words in enumerate(group.alternatives)]
        expression = "(" + " OR ".join(terms) + ")"
        # bm25 sums over the query's phrases; repeating a phrase concept doubles its weight.
        if match_all:
            groups.append(expression)
        else:
            groups.extend([expression, expression] if group.is_phrase else [expression])
    # Visitor words match only the text columns; the locale is a filter of our own.
    text = f"{_TEXT_COLUMNS} : (" + (" AND " if match_all else " OR ").join(groups) + ")"
    if not locales:
        return text
    return f"({text}) AND locale : (" + " OR ".join(f'"{locale}"' for locale in locales) + ")"


class SqliteSearchBackend:
    vendor = "sqlite"

    def index_article(self, *, article: Article) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [article.pk])  # noqa: S608 (constant table name)
            if article.status != Article.Status.PUBLISHED:
                return
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, title, keywords, summary, body, locale, topic, slug)"  # noqa: S608
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    article.pk,
                    article.title,
                    " ".join(article.keywords),
                    article.summary,
                    article.body_text,
                    article.locale,
                    article.topic.slug,
                    article.slug,
                ],
            )

    def remove_article(self, *, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [article_id])  # noqa: S608

    def rebuild(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        count = 0
        published = Article.objects.filter(status=Article.Status.PUBLISHED).select_related("topic")
        for article in published.iterator(chunk_size=500):
            self.index_article(article=article)
            count += 1
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")  # noqa: S608
        return count

    def count_matches(self, *, group: ConceptGroup) -> int:
        expression = fts_match_expression(ParsedQuery(text="", groups=(group,)))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH %s", [expression])  # noqa: S608
            return int(cursor.fetchone()[0])

    def search(
        self, *, query: ParsedQuery, locales: tuple[str, ...], limit: int, match_all: bool = False
    ) -> list[SearchHit]:
        if query.is_empty:
            return []
        match = fts_match_expression(query, locales, match_all=match_all)
        with connection.cursor() as cursor:
            # bm25 costs microseconds a row: only the first RANKED_ROWS matches are ranked
            # (see search.planning).
            cursor.execute(
                f"SELECT rowid FROM (SELECT rowid, bm25({TABLE}, {_WEIGHTS}) AS score"  # noqa: S608
                f" FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s) ORDER BY score LIMIT %s",
                [match, RANKED_ROWS, limit],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        # Reading the rows from the articles table also drops index rows left behind by
        # anything that bypassed the services (a raw delete, a test database flush).
        # Plain SQL and a clipped body: this runs on every keystroke of the type-ahead.
        placeholders = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT article.id, article.slug, topic.slug, article.locale, article.title, article.summary,"  # noqa: S608
                f" substr(article.body_text, 1, {SNIPPET_SCAN_CHARS})"
                " FROM helpcenter_article AS article JOIN helpcenter_topic AS topic ON topic.id = article.topic_id"
                f" WHERE article.id IN ({placeholders}) AND article.status = %s",
                [*ids, Article.Status.PUBLISHED],
            )
            rows = {row[0]: row for row in cursor.fetchall()}
        words = tuple(word for group in query.groups for words in group.alternatives for word in words)
        hits = []
        for article_id in ids:
            row = rows.get(article_id)
            if row is None:
                continue
            _id, slug, topic_slug, locale, title, summary, body = row
            snippet = marked_snippet(text=body, words=words) or marked_snippet(text=summary, words=words) or summary
            hits.append(
                SearchHit(
                    article_id=article_id,
                    slug=slug,
                    topic_slug=topic_slug,
                    locale=locale,
                    title=title,
                    snippet_html=snippet_to_html(snippet),
                )
            )
        return hits

    def similar_titles(self, *, text: str, locales: tuple[str, ...], limit: int) -> list[SearchHit]:
        # SQLite has no trigram similarity in FTS5 with our tokenizer; the spelling
        # corrector (search.spelling) covers misspellings for this backend.
        return []
