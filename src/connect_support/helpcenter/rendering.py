"""Article bodies: Markdown to sanitized HTML, and to plain text for search.

markdown-it-py renders CommonMark with raw HTML disabled; nh3 then keeps only the tags,
attributes and URL schemes an article needs, so a script, an iframe or a ``javascript:``
link written by anyone never reaches a visitor's page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}, "h2": {"id"}}
_ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(?:p|li|h[1-6]|ul|ol|dl|dd|dt|tr|td|th|pre|blockquote|br|hr|table)\b[^>]*>")
_SPACE = re.compile(r"\s+")
_H1 = re.compile(r"<h1(\s[^>]*)?>(.*?)</h1>", re.S)
_H2 = re.compile(r"<h2>(.*?)</h2>", re.S)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class RenderedBody:
    html: str
    text: str


def _heading_ids(body_html: str) -> str:
    """Give each second-level heading an id so that sections can be linked to."""
    seen: dict[str, int] = {}

    def replace(match: re.Match[str]) -> str:
        text = html.unescape(_TAG.sub("", match.group(1)))
        anchor = _NOT_SLUG.sub("-", text.lower()).strip("-")[:60] or "section"
        seen[anchor] = seen.get(anchor, 0) + 1
        if seen[anchor] > 1:
            anchor = f"{anchor}-{seen[anchor]}"
        return f'<h2 id="{anchor}">{match.group(1)}</h2>'

    return _H2.sub(replace, body_html)


def render_markdown(*, markdown: str) -> RenderedBody:
    raw_html = _markdown.render(markdown)
    # The page title is the only h1; a "# heading" in a body becomes a section heading.
    raw_html = _H1.sub(r"<h2>\2</h2>", raw_html)
    clean = nh3.clean(
        raw_html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )
    clean = _heading_ids(clean)
    # Block boundaries become spaces; inline tags vanish so that "<a>refunds</a>." stays "refunds.".
    text = _SPACE.sub(" ", html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", clean)))).strip()
    return RenderedBody(html=clean, text=text)
