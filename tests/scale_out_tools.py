"""Run in a process of its own by tests/test_scale_out.py (with a server's environment):
``python -m tests.scale_out_tools publish <topic>/<slug> <title>`` changes a published
article's title through the content service, as an editor's publish does."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect_support.settings")


def publish(path: str, title: str) -> None:
    import django

    django.setup()
    from django.db import transaction

    from connect_support.helpcenter.models import Article
    from connect_support.helpcenter.services import ArticleContent, article_save

    topic, slug = path.split("/", 1)
    with transaction.atomic():
        article = Article.objects.get(topic__slug=topic, slug=slug, locale="en")
        content = ArticleContent.of(article)
        content.title = title
        article_save(content=content, article=article, author_name="scale-out test", note="retitle")


if __name__ == "__main__" and sys.argv[1:2] == ["publish"]:
    publish(sys.argv[2], sys.argv[3])
