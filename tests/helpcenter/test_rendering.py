from __future__ import annotations

from html.parser import HTMLParser

import pytest

from connect_support.helpcenter.rendering import render_markdown


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The elements a browser would build from ``html`` (escaped text builds none)."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<iframe src="https://evil.example"></iframe>',
        "[click](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "[x](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)" onclick="steal()">link</a>',
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_dangerous_markdown_is_neutralised(markdown: str) -> None:
    elements = _elements(render_markdown(markdown=markdown).html)
    tags = {tag for tag, _attrs in elements}
    assert not tags & {"script", "iframe", "img", "object", "embed"}
    for _tag, attrs in elements:
        for name, value in attrs:
            assert not name.startswith("on"), attrs
            assert not (value or "").strip().lower().startswith(("javascript:", "data:")), attrs


def test_markdown_renders_structure_links_and_tables() -> None:
    rendered = render_markdown(
        markdown=(
            "# Big heading\n\nIntro with a [link](/embedded-connect/payouts/) and **bold**.\n\n"
            "## What you need\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## What you need\n"
        )
    )
    # The page title is the only h1; body headings become sections with stable ids.
    assert "<h1" not in rendered.html
    assert '<h2 id="big-heading">' in rendered.html
    assert '<h2 id="what-you-need">' in rendered.html
    assert '<h2 id="what-you-need-2">' in rendered.html
    assert '<a href="/embedded-connect/payouts/" rel="noopener noreferrer">link</a>' in rendered.html
    assert "<table>" in rendered.html
    assert "<strong>bold</strong>" in rendered.html
    assert rendered.text.startswith("Big heading Intro with a link and bold.")


def test_plain_text_keeps_punctuation_next_to_inline_elements() -> None:
    assert render_markdown(markdown="See [Partial refunds](/x/).").text == "See Partial refunds."
