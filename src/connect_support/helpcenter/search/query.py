"""From what a visitor typed to the concepts to look for.

A question such as "why did the bank take my money back?" becomes a list of concept
groups; each group lists interchangeable terms or phrases (``money back`` → ``refund``,
``chargeback`` → ``dispute``). Question words and other filler are dropped. Only letters
and digits survive tokenizing, so nothing a visitor types can reach a query language as
syntax: quotes, ``*``, ``NEAR(``, ``-``, ``AND`` are plain words or nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from connect_support.helpcenter.search.synonyms import STOP_WORDS, SYNONYMS

MAX_QUERY_CHARS = 200
MAX_GROUPS = 10
_TOKEN = re.compile(r"[^\W_]+")
_LONGEST_SYNONYM = max(len(phrase) for phrase in SYNONYMS)


@dataclass(frozen=True)
class ConceptGroup:
    """Terms that mean the same thing here; each alternative is a tuple of words (a phrase)."""

    alternatives: tuple[tuple[str, ...], ...]
    # The visitor may still be typing this word: match it as a prefix.
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        """A known multi-word expression ("money back"): a deliberate concept, ranked higher."""
        return len(self.alternatives[0]) > 1


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    groups: tuple[ConceptGroup, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def words(self) -> tuple[str, ...]:
        """The visitor's own words that were kept (the first alternative of each group)."""
        return tuple(word for group in self.groups for word in group.alternatives[0])


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _alternatives(phrase: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    found = [phrase]
    for synonym in SYNONYMS.get(phrase, ()):
        if synonym not in found:
            found.append(synonym)
    return tuple(found)


def parse_query(text: str, *, typing: bool = False) -> ParsedQuery:
    """Parse a visitor's query. ``typing`` treats the last word as unfinished."""
    clipped = text[:MAX_QUERY_CHARS]
    tokens = tokenize(clipped)
    unfinished_last = typing and bool(clipped) and not clipped[-1].isspace()
    groups: list[ConceptGroup] = []
    seen: set[tuple[str, ...]] = set()
    position = 0
    while position < len(tokens) and len(groups) < MAX_GROUPS:
        # The longest phrase with synonyms starting here wins ("money back" before "money").
        for size in range(min(_LONGEST_SYNONYM, len(tokens) - position), 0, -1):
            phrase = tuple(tokens[position : position + size])
            if size == 1 or phrase in SYNONYMS:
                break
        position += len(phrase)
        is_last = position == len(tokens)
        if len(phrase) == 1 and (phrase[0] in STOP_WORDS or len(phrase[0]) > 40):
            continue
        if phrase in seen:
            continue
        seen.add(phrase)
        prefix = unfinished_last and is_last and len(phrase) == 1 and len(phrase[0]) >= 2
        groups.append(ConceptGroup(alternatives=_alternatives(phrase), prefix=prefix))
    if not groups and tokens:
        # Only filler words ("how do I"): look for them anyway rather than show nothing.
        meaningful = [token for token in tokens if len(token) > 2][:3]
        groups = [ConceptGroup(alternatives=((token,),)) for token in meaningful]
    return ParsedQuery(text=clipped, groups=tuple(groups))
