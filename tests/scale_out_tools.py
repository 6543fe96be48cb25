"""Run in a process of its own by tests/test_scale_out.py and tests/test_faults.py (with a
server's environment):

- ``publish <topic>/<slug> <title>`` changes a published article's title through the
  content service, as an editor's publish does;
- ``open-case <email>`` opens a case (its acknowledgement goes to the outbox);
- ``webhook <url>`` registers a test-mode endpoint for a new platform and emits an
  ``account.updated`` event to it."""

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


def open_case(email: str) -> None:
    import django

    django.setup()
    from connect_support.cases.models import Case
    from connect_support.cases.services import MessageInput, case_create

    case_create(
        requester_email=email,
        requester_name="Dana Baker",
        subject="Opened while Redis was down",
        message=MessageInput(body_text="Where is my payout?"),
        channel=Case.Channel.WEB,
        topic="payouts",
    )


def webhook(url: str) -> None:
    import django

    django.setup()
    from connect_support.accounts.services import platform_create
    from connect_support.webhooks.services import event_create, webhook_endpoint_create

    platform = platform_create(name="Fault test platform")
    webhook_endpoint_create(platform=platform, livemode=False, url=url, enabled_events=["*"])
    event_create(platform=platform, livemode=False, type="account.updated", data_object={"id": "acct_x"})


if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["publish"]:
        publish(sys.argv[2], sys.argv[3])
    elif command == ["open-case"]:
        open_case(sys.argv[2])
    elif command == ["webhook"]:
        webhook(sys.argv[2])
