"""Full-text search over cases (subject, requester, message bodies) behind one interface.

SQLite answers from an FTS5 table (porter stemming, bm25 with the subject weighted
highest), PostgreSQL from a weighted ``tsvector`` column with a GIN index (``ts_rank``).
Both read :class:`~connect_support.console.models.CaseSearchEntry`, one row per case,
which the receivers in ``inbox_live`` keep current inside the transaction that changed
the case. Callers use :func:`case_search` and never know which database answers.

A query that is a case number, an email address, an account id (``acct_…``) or a case
id (``case_…``) also finds its cases directly, ahead of the ranked matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Left, Substr

from connect_support.cases.models import Case, CaseMessage
from connect_support.console.models import CaseSearchEntry
from connect_support.helpcenter.search import marked_snippet, snippet_to_html

# What one case contributes to the index; the rest of a very long thread is not searched.
MAX_BODY_CHARS = 100_000
MAX_MESSAGE_CHARS = 20_000
MAX_QUERY_CHARS = 200
MAX_WORDS = 8
# PostgreSQL ranks among the first this many matches: ranking reads every matching document, and a
# word found in tens of thousands of cases says little about which one is meant.
RANK_WINDOW = 300
# Snippets are cut from the start of the thread (where the question usually is).
SNIPPET_SOURCE_CHARS = 3000

ENTRY_TABLE = "console_casesearchentry"
FTS_TABLE = "console_case_fts"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        subject, people, body,
        content='{ENTRY_TABLE}', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {ENTRY_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, subject, people, body) VALUES (new.id, new.subject, new.people, new.body);
    END""",  # noqa: S608 (constant names)
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {ENTRY_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, subject, people, body)
        VALUES ('delete', old.id, old.subject, old.people, old.body);
    END""",  # noqa: S608 (constant names)
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON {ENTRY_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, subject, people, body)
        VALUES ('delete', old.id, old.subject, old.people, old.body);
        INSERT INTO {FTS_TABLE}(rowid, subject, people, body) VALUES (new.id, new.subject, new.people, new.body);
    END""",  # noqa: S608 (constant names)
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_CREATE = [
    f"""ALTER TABLE {ENTRY_TABLE} ADD COLUMN IF NOT EXISTS document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', subject), 'A')
        || setweight(to_tsvector('english', people), 'B')
        || setweight(to_tsvector('english', body), 'C')
    ) STORED""",
    f"CREATE INDEX IF NOT EXISTS console_case_search_gin ON {ENTRY_TABLE} USING gin (document)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS console_case_search_gin",
    f"ALTER TABLE {ENTRY_TABLE} DROP COLUMN IF EXISTS document",
]

_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"#?(\d{1,15})")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
_ID = re.compile(r"(acct|case)_[A-Za-z0-9]{1,36}")


class CaseSearchBackend(Protocol):
    vendor: str

    def ranked(self, *, words: tuple[str, ...], limit: int) -> list[tuple[str, str]]:
        """(case id, start of its thread) of the cases whose text holds every word (the last
        one as a prefix), best first. The thread's start is what snippets are cut from."""


class SqliteCaseSearch:
    vendor = "sqlite"

    def ranked(self, *, words: tuple[str, ...], limit: int) -> list[tuple[str, str]]:
        # Words are letters and digits only; quoting makes each a literal term (never AND/NEAR).
        terms = [f'"{word}"' for word in words]
        terms[-1] += "*"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.case_id, substr(e.body, 1, {SNIPPET_SOURCE_CHARS}) FROM {FTS_TABLE} f"  # noqa: S608 (constants)
                f" JOIN {ENTRY_TABLE} e ON e.id = f.rowid"
                f" WHERE {FTS_TABLE} MATCH %s ORDER BY bm25({FTS_TABLE}, 10.0, 5.0, 1.0) LIMIT %s",
                [" ".join(terms), limit],
            )
            return [(row[0], row[1] or "") for row in cursor.fetchall()]


class PostgresCaseSearch:
    vendor = "postgresql"

    def ranked(self, *, words: tuple[str, ...], limit: int) -> list[tuple[str, str]]:
        expression = " & ".join(words) + ":*"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT r.case_id, left(e.body, {SNIPPET_SOURCE_CHARS}) FROM (
                        SELECT m.id, m.case_id, ts_rank(m.document, q) AS rank FROM (
                            SELECT e.id, e.case_id, e.document FROM {ENTRY_TABLE} e, to_tsquery('english', %s) q
                            WHERE e.document @@ q LIMIT %s
                        ) m, to_tsquery('english', %s) q
                        ORDER BY rank DESC, m.case_id LIMIT %s
                    ) r JOIN {ENTRY_TABLE} e ON e.id = r.id
                    ORDER BY r.rank DESC, r.case_id""",  # noqa: S608 (constant table name)
                [expression, RANK_WINDOW, expression, limit],
            )
            return [(row[0], row[1] or "") for row in cursor.fetchall()]


def case_search_backend() -> CaseSearchBackend:
    if connection.vendor == "postgresql":
        return PostgresCaseSearch()
    if connection.vendor == "sqlite":
        return SqliteCaseSearch()
    raise RuntimeError(f"no case search backend for the {connection.vendor} database")


@dataclass(frozen=True)
class CaseSearchResult:
    """Case ids in the order to show them: direct hits (number, address, id) first."""

    case_ids: list[str]
    direct_ids: frozenset[str]
    words: tuple[str, ...]
    # The start of each ranked case's thread, for snippets.
    heads: dict[str, str]


def query_words(query: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word.lower() for word in _WORD.findall(query[:MAX_QUERY_CHARS])))[:MAX_WORDS]


def _direct_filter(query: str) -> Q | None:
    text = query.strip()
    if match := _NUMBER.fullmatch(text):
        return Q(number=int(match.group(1)))
    if _ID.fullmatch(text):
        if text.startswith("acct_"):
            return Q(account_id=text) | Q(claimed_account_id=text)
        return Q(pk=text)
    if _EMAIL.fullmatch(text):
        # Exact and lower-case forms, so that the requester index answers (iexact would not).
        return Q(requester_email__in={text, text.lower()})
    return None


def case_search(*, query: str, limit: int) -> CaseSearchResult:
    query = query[:MAX_QUERY_CHARS]
    direct: list[str] = []
    condition = _direct_filter(query)
    if condition is not None:
        direct = list(
            Case.objects.filter(condition).order_by("-updated_at", "-id").values_list("id", flat=True)[:limit]
        )
    words = query_words(query)
    ranked = case_search_backend().ranked(words=words, limit=limit) if words else []
    ordered = list(dict.fromkeys([*direct, *(case_id for case_id, _head in ranked)]))[:limit]
    return CaseSearchResult(case_ids=ordered, direct_ids=frozenset(direct), words=words, heads=dict(ranked))


def search_snippets(*, case_ids: Iterable[str], found: CaseSearchResult) -> dict[str, str]:
    """Escaped HTML excerpts of the threads around the query words, by case id."""
    if not found.words:
        return {}
    wanted = list(case_ids)
    heads = {case_id: found.heads[case_id] for case_id in wanted if case_id in found.heads}
    missing = [case_id for case_id in wanted if case_id not in heads]
    if missing:  # direct hits that the words did not rank
        rows = CaseSearchEntry.objects.filter(case_id__in=missing)
        heads.update(rows.values_list("case_id", Substr("body", 1, SNIPPET_SOURCE_CHARS)))
    snippets = {}
    for case_id, head in heads.items():
        raw = marked_snippet(text=head or "", words=found.words)
        if raw is not None:
            snippets[case_id] = snippet_to_html(raw)
    return snippets


# Keeping the index current (called by the receivers in inbox_live).


def _people(case: Case) -> str:
    return " ".join(
        part for part in (case.requester_name, case.requester_email, case.account_id, case.claimed_account_id) if part
    )


def _thread_text(case_id: str) -> str:
    pieces: list[str] = []
    size = 0
    heads = (
        CaseMessage.objects.filter(case_id=case_id)
        .order_by("created_at", "id")
        .values_list(Substr("body_text", 1, MAX_MESSAGE_CHARS), flat=True)
    )
    for head in heads:
        if size >= MAX_BODY_CHARS:
            break
        pieces.append(head or "")
        size += len(head or "") + 2
    return "\n\n".join(pieces)[:MAX_BODY_CHARS]


SEARCHED_CASE_FIELDS = frozenset({"subject", "requester_name", "requester_email", "account", "claimed_account_id"})


def search_entry_case_saved(*, case: Case, created: bool, update_fields: Iterable[str] | None) -> None:
    if update_fields is not None and not SEARCHED_CASE_FIELDS.intersection(update_fields):
        return
    subject, people = case.subject, _people(case)
    if created:
        # A new case has no message yet: its first one is appended when it is written.
        CaseSearchEntry.objects.create(case_id=case.pk, subject=subject, people=people)
        return
    changed = (
        CaseSearchEntry.objects.filter(case_id=case.pk)
        .exclude(subject=subject, people=people)
        .update(subject=subject, people=people)
    )
    if not changed and not CaseSearchEntry.objects.filter(case_id=case.pk).exists():
        search_entry_rebuild(case_id=case.pk)


def search_entry_message_added(*, message: CaseMessage) -> None:
    """Append the new message's text with one atomic UPDATE (no lost append under concurrency)."""
    text = (message.body_text or "")[:MAX_MESSAGE_CHARS]
    appended = CaseSearchEntry.objects.filter(case_id=message.case_id).update(
        body=Left(Concat(F("body"), Value("\n\n" + text)), MAX_BODY_CHARS)
    )
    if not appended:
        search_entry_rebuild(case_id=message.case_id)


def search_entry_rebuild(*, case_id: str, create: bool = True) -> None:
    """Read the case and its thread again. Without ``create`` only an existing entry is
    updated: a message deleted along with its case must not bring the entry back."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return
    values = {"subject": case.subject, "people": _people(case), "body": _thread_text(case_id)}
    if create:
        CaseSearchEntry.objects.update_or_create(case_id=case_id, defaults=values)
    else:
        CaseSearchEntry.objects.filter(case_id=case_id).update(**values)


def search_index_rebuild() -> int:
    """Index every case again in one statement (after a bulk import); returns the count."""
    if connection.vendor == "postgresql":
        people = "concat_ws(' ', nullif(c.requester_name, ''), c.requester_email, c.account_id,"
        people += " nullif(c.claimed_account_id, ''))"
        thread = f"string_agg(left(m.body_text, {MAX_MESSAGE_CHARS}), E'\\n\\n' ORDER BY m.created_at, m.id)"
        body = f"left(coalesce({thread}, ''), {MAX_BODY_CHARS})"
    else:
        people = "trim(c.requester_name || ' ' || c.requester_email || ' ' || coalesce(c.account_id, '')"
        people += " || ' ' || c.claimed_account_id)"
        thread = f"group_concat(substr(m.body_text, 1, {MAX_MESSAGE_CHARS}), char(10) || char(10))"
        body = f"substr(coalesce({thread}, ''), 1, {MAX_BODY_CHARS})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ENTRY_TABLE} (case_id, subject, people, body)"  # noqa: S608 (constants only)
            f" SELECT c.id, c.subject, {people}, {body}"
            " FROM cases_case c LEFT JOIN cases_casemessage m ON m.case_id = c.id WHERE true"
            " GROUP BY c.id, c.subject, c.requester_name, c.requester_email, c.account_id, c.claimed_account_id"
            " ON CONFLICT (case_id) DO UPDATE"
            " SET subject = excluded.subject, people = excluded.people, body = excluded.body"
        )
        return int(cursor.rowcount)
