"""PostgreSQL full-text search.

A side table holds one row per published article with a weighted ``tsvector`` (title A,
keywords B, summary C, body D) built with the text-search configuration of the article's
language, under a GIN index; titles also carry a trigram index (``pg_trgm``) for
misspellings. Ranking is ``ts_rank``, first on a small head vector (title, keywords,
summary), then on the whole document for the best candidates only; snippets are cut in
Python from the rows shown. A lexeme table counts the documents holding each word, for
query planning (``search.planning``).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from connect_support.helpcenter.models import Article
from connect_support.helpcenter.search import SNIPPET_SCAN_CHARS, SearchHit, marked_snippet, snippet_to_html
from connect_support.helpcenter.search.planning import RANKED_ROWS
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
LEXEME_TABLE = "helpcenter_search_lexeme"
# A document's distinct lexemes, and the empty lexeme, which no text produces, for the
# document itself.
_LEXEMES = "unnest(array_prepend('', tsvector_to_array(document))) AS lexeme"
COUNT_ALL_LEXEMES = (
    f"INSERT INTO {LEXEME_TABLE} (config, lexeme, documents)"  # noqa: S608
    f" SELECT config, lexeme, count(*) FROM {TABLE}, {_LEXEMES} GROUP BY config, lexeme"
)
# Added by migration 0003 (idempotent, for tables made before):
# - the head vector: the title, keywords and summary part of the document (weights A to
#   C), a few hundred bytes kept in the row, where the whole document is kilobytes that
#   PostgreSQL compresses or moves out of line. Ranking reads it first (see ``search``).
# - how many documents hold each lexeme, kept current by every index change, so that
#   planning a query (search.planning) looks counts up instead of counting matches.
HEAD_AND_COUNT_STATEMENTS = (
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS head tsvector",
    f"UPDATE {TABLE} SET head = ts_filter(document, '{{a,b,c}}') WHERE head IS NULL",  # noqa: S608
    f"ALTER TABLE {TABLE} ALTER COLUMN head SET NOT NULL",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_head ON {TABLE} USING gin (head)",
    f"""
    CREATE TABLE IF NOT EXISTS {LEXEME_TABLE} (
        config regconfig NOT NULL,
        lexeme text COLLATE "C" NOT NULL,
        documents integer NOT NULL,
        PRIMARY KEY (config, lexeme)
    )
    """,
    f"DELETE FROM {LEXEME_TABLE}",  # noqa: S608
    COUNT_ALL_LEXEMES,
)
DROP_HEAD_AND_COUNT_STATEMENTS = (
    f"DROP TABLE IF EXISTS {LEXEME_TABLE}",
    f"DROP INDEX IF EXISTS {TABLE}_head",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS head",
)
GIN_INDEXES = (f"{TABLE}_document", f"{TABLE}_head", f"{TABLE}_title_trgm")
DROP_STATEMENTS = (f"DROP TABLE IF EXISTS {TABLE}",)

# Text-search configurations per article language; anything else is indexed unstemmed.
CONFIGS = {"en": "english", "fr": "french"}
_WEIGHTS = "'{0.1, 0.3, 0.5, 1.0}'"  # D, C, B, A: body, summary, keywords, title
# Candidates ranked on the whole document (see ``search``).
HEAD_CANDIDATES = 30
BODY_CANDIDATES = 40


def _config(locale: str) -> str:
    return CONFIGS.get(locale, "simple")


_CONFIG_OF_LOCALE = (
    "CASE article.locale "
    + " ".join(f"WHEN '{locale}' THEN '{config}'" for locale, config in CONFIGS.items())
    + " ELSE 'simple' END::regconfig"
)
# Index rows for published articles, built in the database: one statement serves a single
# article (with a condition on its id added) and a rebuild of the whole site.
INDEX_FROM_ARTICLES = f"""
INSERT INTO {TABLE} (article_id, locale, topic, slug, config, title, summary, body, document, head)
SELECT id, locale, topic, slug, config, title, summary, body, vector, ts_filter(vector, '{{a,b,c}}')
FROM (
    SELECT article.id, article.locale, topic.slug AS topic, article.slug, built.config, article.title,
           article.summary, article.body_text AS body,
           setweight(to_tsvector(built.config, article.title), 'A')
           || setweight(to_tsvector(built.config, built.keywords), 'B')
           || setweight(to_tsvector(built.config, article.summary), 'C')
           || setweight(to_tsvector(built.config, article.body_text), 'D') AS vector
    FROM helpcenter_article AS article
    JOIN helpcenter_topic AS topic ON topic.id = article.topic_id
    CROSS JOIN LATERAL (
        SELECT {_CONFIG_OF_LOCALE} AS config,
               (SELECT coalesce(string_agg(word, ' '), '') FROM jsonb_array_elements_text(article.keywords) AS word)
               AS keywords
    ) AS built
    WHERE article.status = 'published'
) AS rows
WHERE true"""  # noqa: S608 (constants only)


def tsquery_text(query: ParsedQuery, *, match_all: bool = False, phrases: bool = True, weighted: bool = True) -> str:
    """The ``to_tsquery`` input: groups OR-ed, phrases with ``<->``, prefixes with ``:*``.

    Words are letters and digits only, so none of ``& | ! ( ) : * <``  can come from the
    visitor; the structure is ours alone. Without ``phrases``, the words of a phrase only
    have to occur anywhere (``&``): a wider query that the GIN index answers alone,
    where a phrase must be checked against each row's positions. ``weighted`` repeats
    the phrase concepts, which doubles their weight in ``ts_rank``; matching does not need
    it, and every repetition costs a test per row.
    """
    groups = []
    for group in query.groups:
        terms = []
        for index, words in enumerate(group.alternatives):
            term = (" <-> " if phrases else " & ").join(words)
            if group.prefix and index == 0:
                term += ":*"
            terms.append(f"({term})" if len(words) > 1 else term)
        expression = "(" + " | ".join(terms) + ")"
        if match_all or not weighted:
            groups.append(expression)
        else:
            groups.extend([expression, expression] if group.is_phrase else [expression])
    return (" & " if match_all else " | ").join(groups)


class PostgresSearchBackend:
    vendor = "postgresql"

    def index_article(self, *, article: Article) -> None:
        with connection.cursor() as cursor:
            self._forget(cursor, "article_id = %s", [article.pk])
            cursor.execute(INDEX_FROM_ARTICLES + " AND id = %s", [article.pk])
            self._count_lexemes(cursor, "article_id = %s", [article.pk], +1)

    def remove_article(self, *, article_id: int) -> None:
        with connection.cursor() as cursor:
            self._forget(cursor, "article_id = %s", [article_id])

    def rebuild(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
            cursor.execute(f"DELETE FROM {LEXEME_TABLE}")  # noqa: S608
            cursor.execute(INDEX_FROM_ARTICLES)
            count = cursor.rowcount
            cursor.execute(COUNT_ALL_LEXEMES)
            # A bulk load leaves the GIN indexes' pending lists full (every query would
            # scan them) and the planner's statistics describing the old table.
            for index in GIN_INDEXES:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            cursor.execute(f"ANALYZE {TABLE}")
            cursor.execute(f"ANALYZE {LEXEME_TABLE}")
        return int(count)

    def _forget(self, cursor: CursorWrapper, where: str, params: list[Any]) -> None:
        self._count_lexemes(cursor, where, params, -1)
        cursor.execute(f"DELETE FROM {TABLE} WHERE {where}", params)  # noqa: S608

    def _count_lexemes(self, cursor: CursorWrapper, where: str, params: list[Any], change: int) -> None:
        # In lexeme order, so that two publishes sharing words lock the rows in the same
        # order and cannot deadlock.
        cursor.execute(
            f"INSERT INTO {LEXEME_TABLE} AS counted (config, lexeme, documents)"  # noqa: S608
            f" SELECT config, lexeme, %s FROM {TABLE}, {_LEXEMES}"
            f" WHERE {where} ORDER BY config, lexeme"
            " ON CONFLICT (config, lexeme) DO UPDATE SET documents = counted.documents + excluded.documents",
            [change, *params],
        )

    def _locale_filter(self, locales: tuple[str, ...], text: str, *, vector: str = "document") -> tuple[str, list[str]]:
        # One indexable condition per language, OR-ed: each uses the GIN index. The query
        # is built with a constant configuration (not the row's) so that it matches the
        # index; a per-row expression would make PostgreSQL test every row.
        parts = []
        params: list[str] = []
        for locale in locales:
            parts.append(f"(locale = %s AND {vector} @@ to_tsquery(%s::regconfig, %s))")
            params.extend([locale, _config(locale), text])
        return " OR ".join(parts), params

    def _query_for_row(self, locales: tuple[str, ...], text: str, *, alias: str) -> tuple[str, list[str]]:
        # The query in each row's configuration, spelled with constants: PostgreSQL folds
        # a constant to_tsquery once, where to_tsquery(config, …) is parsed again per row.
        branches = " ".join("WHEN %s THEN to_tsquery(%s::regconfig, %s)" for _locale in locales)
        params = [value for locale in locales for value in (locale, _config(locale), text)]
        return f"(CASE {alias}.locale {branches} END)", params

    def count_matches(self, *, group: ConceptGroup) -> int:
        """An upper bound from the lexeme counts: an alternative matches at most as many
        documents as its rarest word, a group at most the sum of its alternatives, a prefix
        the sum of the lexemes it starts, and nothing more than all the documents. Planning
        needs orders of magnitude, not more."""
        configs = [*sorted(set(CONFIGS.values())), "simple"]
        rows = [
            (alternative, position, word, group.prefix and alternative == 0)
            for alternative, words in enumerate(group.alternatives)
            for position, word in enumerate(words)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT w.alternative, w.position, sum(
                    -- One index range per stem: the lexeme itself, or all it starts.
                    (SELECT coalesce(sum(greatest(counted.documents, 0)), 0) FROM {LEXEME_TABLE} AS counted
                     WHERE counted.config = c.config AND counted.lexeme >= stem.lexeme COLLATE "C"
                       AND counted.lexeme <= (CASE WHEN w.prefix THEN stem.lexeme || chr(1114111)
                                              ELSE stem.lexeme END) COLLATE "C")
                )
                FROM unnest(%s::int[], %s::int[], %s::text[], %s::bool[]) AS w(alternative, position, word, prefix)
                CROSS JOIN unnest(%s::regconfig[]) AS c(config)
                CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector(c.config, w.word))) AS stem(lexeme)
                GROUP BY w.alternative, w.position
                UNION ALL
                SELECT -1, 0, coalesce(sum(greatest(documents, 0)), 0) FROM {LEXEME_TABLE}
                WHERE config = ANY(%s::regconfig[]) AND lexeme = ''
                """,  # noqa: S608 (constant table name)
                [
                    [row[0] for row in rows],
                    [row[1] for row in rows],
                    [row[2] for row in rows],
                    [row[3] for row in rows],
                    configs,
                    configs,
                ],
            )
            found = cursor.fetchall()
        # Words without a lexeme (stop words) do not bound a phrase; a phrase made only of
        # them matches nothing.
        per_alternative: dict[int, int] = {}
        documents_in_all = 0
        for alternative, _position, documents in found:
            if alternative < 0:
                documents_in_all = int(documents)
                continue
            known = per_alternative.get(alternative)
            per_alternative[alternative] = int(documents) if known is None else min(known, int(documents))
        return min(sum(per_alternative.values()), documents_in_all)

    def search(
        self, *, query: ParsedQuery, locales: tuple[str, ...], limit: int, match_all: bool = False
    ) -> list[SearchHit]:
        if query.is_empty:
            return []
        ranking = tsquery_text(query, match_all=match_all)
        matching = tsquery_text(query, match_all=match_all, weighted=False)
        in_head, head_params = self._locale_filter(locales, matching, vector="head")
        # Body candidates come from the wider, phrase-free query, which the GIN index
        # answers without reading a row; the exact query is checked on the candidates.
        wide = tsquery_text(query, match_all=match_all, phrases=False, weighted=False)
        anywhere, anywhere_params = self._locale_filter(locales, wide)
        row_query, row_params = self._query_for_row(locales, ranking, alias="doc")
        row_match, row_match_params = self._query_for_row(locales, matching, alias="doc")
        with connection.cursor() as cursor:
            # Ranking reads each candidate's tsvector, and a whole article's is kilobytes
            # to decompress: ranking every row that matches a common word cost tens of
            # milliseconds. So the candidates are the best HEAD_CANDIDATES by their small
            # head vector (title, keywords, summary) and, when fewer heads match, up to
            # BODY_CANDIDATES that match anywhere; only those are ranked on the whole
            # document. A body-only match ranks below head matches (weight 0.1 against
            # 0.3 to 1), so it is looked for only when heads are scarce. At most
            # RANKED_ROWS head vectors are ranked (see search.planning).
            # The articles table is joined only for the rows shown: inside the ranking it
            # let the planner start from every published article and test each one.
            # Snippets are cut in Python from the start of the bodies shown (as on SQLite):
            # ts_headline re-parses the text and cost more than the whole search.
            cursor.execute(
                f"""
                WITH by_head AS MATERIALIZED (
                    SELECT article_id FROM (
                        SELECT article_id, locale, head FROM {TABLE} AS doc WHERE {in_head} LIMIT %s
                    ) AS doc
                    ORDER BY ts_rank({_WEIGHTS}, head, {row_query}, 1) DESC, article_id
                    LIMIT %s
                ), by_body AS MATERIALIZED (
                    SELECT article_id FROM {TABLE}
                    WHERE ({anywhere}) AND (SELECT count(*) FROM by_head) < %s
                    LIMIT %s
                ), ranked AS MATERIALIZED (
                    SELECT article_id, ts_rank({_WEIGHTS}, document, {row_query}, 1) AS rank
                    FROM {TABLE} AS doc
                    WHERE article_id IN (SELECT article_id FROM by_head UNION SELECT article_id FROM by_body)
                        AND document @@ {row_match}
                    ORDER BY rank DESC, article_id
                    LIMIT %s
                )
                SELECT doc.article_id, doc.slug, doc.topic, doc.locale, doc.title,
                       left(doc.body, %s), doc.summary
                FROM ranked
                JOIN {TABLE} AS doc ON doc.article_id = ranked.article_id
                JOIN helpcenter_article AS article ON article.id = ranked.article_id AND article.status = 'published'
                ORDER BY ranked.rank DESC, ranked.article_id
                """,  # noqa: S608 (only placeholders are filled from the request)
                [
                    *head_params,
                    RANKED_ROWS,
                    *row_params,
                    max(HEAD_CANDIDATES, limit),
                    *anywhere_params,
                    max(HEAD_CANDIDATES, limit),
                    BODY_CANDIDATES,
                    *row_params,
                    *row_match_params,
                    limit,
                    SNIPPET_SCAN_CHARS,
                ],
            )
            rows = cursor.fetchall()
        hits = []
        words = tuple(word for group in query.groups for words in group.alternatives for word in words)
        for article_id, slug, topic, locale, title, body, summary in rows:
            snippet = marked_snippet(text=body, words=words) or marked_snippet(text=summary, words=words) or summary
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
