"""``{% asset_url "app/file.css" %}``: a static URL carrying the file's content hash."""

from __future__ import annotations

from django import template

from connect_support.static_assets import asset_url as fingerprinted_url

register = template.Library()


@register.simple_tag
def asset_url(relative: str) -> str:
    return fingerprinted_url(relative)
