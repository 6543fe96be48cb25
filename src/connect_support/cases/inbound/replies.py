"""The new part of a reply: quoted history and signatures removed.

Our own mail carries a marker line; text above it is the reply. Then a maintained reply
parser (mail-parser-reply) finds "On … wrote:" headers in many languages, quoted blocks
and signatures. If stripping would leave nothing, the whole text is kept: losing words
is worse than showing a quote.
"""

from __future__ import annotations

from functools import lru_cache

from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

from connect_support.cases.rendering import REPLY_MARKER


@lru_cache(maxsize=1)
def _parser() -> EmailReplyParser:
    return EmailReplyParser(languages=[language for language in MAIL_LANGUAGES if language != "david"])


def strip_reply(text: str) -> tuple[str, bool]:
    """(the new text, whether anything was removed)."""
    original = text.replace("\r\n", "\n").strip()
    if not original:
        return "", False
    candidate = original
    if REPLY_MARKER in candidate:
        candidate = candidate.split(REPLY_MARKER, 1)[0]
        # Drop the quote prefix of the marker's own line ("> ##- Please …").
        candidate = candidate.rstrip().rstrip(">").rstrip()
    try:
        parsed = _parser().read(candidate)
        body = parsed.replies[0].body.strip() if parsed.replies else candidate
    except Exception:  # a third-party regex engine on hostile input: keep the text
        body = candidate.strip()
    if not body:
        body = candidate.strip() or original
    return body, body != original
