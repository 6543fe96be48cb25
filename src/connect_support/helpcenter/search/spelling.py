"""Misspelled words, corrected against the words the articles actually use.

Used only when a query finds nothing, so the common path pays nothing. The vocabulary
(words of titles, keywords and summaries of published articles) is built once per
content version and bucketed by first letter, which keeps a lookup near a millisecond
even with tens of thousands of articles.
"""

from __future__ import annotations

import difflib
import threading
from collections import defaultdict

from connect_support.helpcenter.models import Article
from connect_support.helpcenter.search.query import tokenize

_lock = threading.Lock()
_cache: dict[str, dict[str, list[str]]] = {}


def _build_vocabulary() -> dict[str, list[str]]:
    words: set[str] = set()
    rows = Article.objects.filter(status=Article.Status.PUBLISHED).values_list("title", "summary", "keywords")
    for title, summary, keywords in rows.iterator(chunk_size=2000):
        words.update(tokenize(title))
        words.update(tokenize(summary))
        words.update(tokenize(" ".join(keywords)))
    buckets: dict[str, list[str]] = defaultdict(list)
    for word in sorted(words):
        if len(word) >= 3 and not word.isdigit():
            buckets[word[0]].append(word)
    return dict(buckets)


def vocabulary(*, version: str) -> dict[str, list[str]]:
    with _lock:
        found = _cache.get(version)
        if found is None:
            _cache.clear()
            found = _cache[version] = _build_vocabulary()
        return found


def unknown_words(*, words: tuple[str, ...], version: str) -> list[str]:
    """The words of at least four letters that no published title, keyword or summary uses."""
    buckets = vocabulary(version=version)
    return [word for word in words if len(word) >= 4 and word not in buckets.get(word[0], ())]


def correct_words(*, words: tuple[str, ...], version: str) -> dict[str, str]:
    """Map each unknown word of at least four letters to its closest known word."""
    buckets = vocabulary(version=version)
    corrections: dict[str, str] = {}
    for word in words:
        if len(word) < 4:
            continue
        candidates = buckets.get(word[0], [])
        if word in candidates:
            continue
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
        if close and close[0] != word:
            corrections[word] = close[0]
    return corrections
