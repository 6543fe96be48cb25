"""Keeping search fast on large sites, for both engines.

Both engines rank every matching row before they can return the best ten (bm25 in FTS5,
``ts_rank`` in PostgreSQL, each a few microseconds a row). Questions are OR-ed concept
groups, and on a large site a word like "customer" or "account" occurs in most articles,
so a plain OR query would rank thousands of rows. So, per query:

- the number of articles matching each concept is asked of the backend (SQLite counts
  index matches, PostgreSQL looks up per-lexeme counts kept on publish) and remembered
  for the content version, so a concept is counted once;
- up to ``ROW_BUDGET`` matching rows in total, all concepts are OR-ed: the best ranking;
- beyond, the concepts that match anything are AND-ed, rarest first, and the most common
  one is dropped until at least ``ENOUGH_RESULTS`` articles match. Intersections are
  small, so the work stays bounded however large the site grows.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from connect_support.helpcenter.content_version import content_version
from connect_support.helpcenter.search.query import ConceptGroup, ParsedQuery

if TYPE_CHECKING:
    from connect_support.helpcenter.search import SearchBackend, SearchHit

ROW_BUDGET = 1000
# No engine ranks more rows than this for one query: the first ones matched are ranked,
# the rest are not read. Ranking costs microseconds a row, and a question made only of
# words that every article uses still matches thousands after planning. Whenever fewer
# rows match (every question on a small site, most on large ones), ranking is exact.
RANKED_ROWS = 150
ENOUGH_RESULTS = 5
_MAX_CACHED_COUNTS = 20_000


class _MatchCounts:
    """How many articles match a concept, remembered for one content version."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = ""
        self.counts: dict[tuple[str, ConceptGroup], int] = {}

    def get(self, backend: SearchBackend, group: ConceptGroup, version: str) -> int:
        key = (backend.vendor, group)
        with self.lock:
            if version != self.version or len(self.counts) >= _MAX_CACHED_COUNTS:
                self.version, self.counts = version, {}
            found = self.counts.get(key)
        if found is not None:
            return found
        found = backend.count_matches(group=group)
        with self.lock:
            if version == self.version:
                self.counts[key] = found
        return found


_match_counts = _MatchCounts()


def search_plan(backend: SearchBackend, query: ParsedQuery) -> list[tuple[ParsedQuery, bool]]:
    """(query, match all concepts) pairs to try in order."""
    if len(query.groups) < 2:
        return [(query, False)]
    version = content_version()
    counts = {group: _match_counts.get(backend, group, version) for group in query.groups}
    if sum(counts.values()) <= ROW_BUDGET:
        return [(query, False)]
    # A concept found nowhere (a misspelling, a word no article uses) would empty every
    # intersection; the OR query would simply not count it, so neither does the AND.
    by_rarity = tuple(sorted((group for group in query.groups if counts[group]), key=lambda group: counts[group]))
    return [(ParsedQuery(text=query.text, groups=by_rarity[:size]), True) for size in range(len(by_rarity), 0, -1)]


def planned_search(
    backend: SearchBackend, *, query: ParsedQuery, locales: tuple[str, ...], limit: int
) -> list[SearchHit]:
    hits: list[SearchHit] = []
    for planned, match_all in search_plan(backend, query):
        hits = backend.search(query=planned, locales=locales, limit=limit, match_all=match_all)
        if len(hits) >= min(limit, ENOUGH_RESULTS):
            break
    return hits
