"""Article search behind one interface, with a backend per database.

SQLite uses an FTS5 table (porter stemming over unicode61, bm25 with the title weighted
highest, prefix indexes for type-ahead); PostgreSQL uses a weighted ``tsvector`` with a
GIN index, ``ts_rank`` (first on a small head vector), and trigram similarity for
misspelled titles. Snippets are cut in Python from the rows shown, for both. The
backend follows the database vendor; callers use :func:`search_backend` and never know
which one answers.

Only published articles are in the index. The services keep it current on every save,
publish, archive and delete, inside the same transaction as the change.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Protocol

from django.db import connection

from connect_support.helpcenter.models import Article
from connect_support.helpcenter.search.query import ConceptGroup, ParsedQuery

# Snippet markers from the database: private-use characters that no article contains,
# turned into <mark> after the snippet text is escaped.
MARK_START = "\ue000"
MARK_END = "\ue001"


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    slug: str
    topic_slug: str
    locale: str
    title: str
    snippet_html: str

    @property
    def url(self) -> str:
        return f"/embedded-connect/{self.topic_slug}/{self.slug}/"


def snippet_to_html(raw: str) -> str:
    """Escape a marked-up snippet and turn the markers into ``<mark>`` elements."""
    escaped = html.escape(raw.replace(MARK_START + MARK_END, ""), quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


SNIPPET_SCAN_CHARS = 3000


def _stem_prefix(word: str) -> str:
    # A crude stem that is enough for highlighting: "refunds" and "refunded" share "refun".
    return word if len(word) <= 4 else word[: max(4, len(word) - 2)]


def marked_snippet(*, text: str, words: tuple[str, ...], width: int = 160) -> str | None:
    """About ``width`` characters of ``text`` around the densest run of query words, with
    markers; None when no query word occurs.

    Used by backends whose engine would have to re-run the whole query to cut snippets.
    """
    prefixes = sorted({_stem_prefix(word.lower()) for word in words if len(word) > 1}, key=len, reverse=True)
    if not prefixes:
        return None
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, prefixes)) + r")\w*", re.IGNORECASE)
    # The best passage of a long article is almost always near its start; scanning all
    # of it for every result row would cost more than the search itself.
    spans = [match.span() for match in pattern.finditer(text, 0, SNIPPET_SCAN_CHARS)]
    if not spans:
        return None
    # The window of `width` characters that holds the most matches (two pointers).
    best, best_count, last = 0, 0, 0
    for first in range(len(spans)):
        last = max(last, first)
        while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= width:
            last += 1
        if last - first + 1 > best_count:
            best, best_count = first, last - first + 1
    start = max(0, spans[best][0] - 30)
    start = text.rfind(" ", 0, start) + 1 if start > 0 else 0
    end = min(len(text), start + width)
    end = text.find(" ", end) if end < len(text) and text.find(" ", end) != -1 else len(text)
    pieces, cursor = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces += [text[cursor:span_start], MARK_START, text[span_start:span_end], MARK_END]
        cursor = span_end
    pieces.append(text[cursor:end])
    return ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else "")


class SearchBackend(Protocol):
    vendor: str

    def index_article(self, *, article: Article) -> None:
        """Add, replace or (when not published) remove one article."""

    def remove_article(self, *, article_id: int) -> None: ...

    def rebuild(self) -> int:
        """Re-index every published article; returns how many were indexed."""

    def count_matches(self, *, group: ConceptGroup) -> int:
        """How many published articles (any language) match one concept; an upper bound
        is enough (it only plans the query)."""

    def search(
        self, *, query: ParsedQuery, locales: tuple[str, ...], limit: int, match_all: bool = False
    ) -> list[SearchHit]:
        """Best matches first, for articles in any of ``locales``; concepts OR-ed, or AND-ed
        with ``match_all``. Callers go through :func:`search.planning.planned_search`."""

    def similar_titles(self, *, text: str, locales: tuple[str, ...], limit: int) -> list[SearchHit]:
        """Articles whose titles look like ``text``: the fallback for misspellings."""


def search_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        from connect_support.helpcenter.search.postgres import PostgresSearchBackend

        return PostgresSearchBackend()
    if connection.vendor == "sqlite":
        from connect_support.helpcenter.search.sqlite import SqliteSearchBackend

        return SqliteSearchBackend()
    raise RuntimeError(f"no article search backend for the {connection.vendor} database")
