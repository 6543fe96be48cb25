from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.test import Client

from connect_support.helpcenter.models import Article
from connect_support.helpcenter.selectors import search_articles
from tests.helpcenter.conftest import make_article, make_topic
from tests.identity.fixtures import AGENT_PASSWORD, fresh_rate_limits, make_agent

__all__ = ["fresh_rate_limits"]  # autouse: each test counts sign-in attempts from zero

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db: Any) -> Client:
    """An admin agent signed in the real way: password, then the authenticator code."""
    user, secret = make_agent(email="editor@operator.test", roles=("admin", "content editor"))
    client = Client()
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    verified = client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).now()})
    assert verified.status_code == 302
    return client


def _form(article: Article, **changes: Any) -> dict[str, Any]:
    data = {
        "topic": article.topic_id,
        "slug": article.slug,
        "locale": article.locale,
        "title": article.title,
        "summary": article.summary,
        "body_markdown": article.body_markdown,
        "status": article.status,
        "updated_on": article.updated_on.isoformat(),
        "keywords_text": ", ".join(article.keywords),
        "contexts_text": ", ".join(article.contexts),
        "related_text": ", ".join(article.related_slugs),
        "note": "",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_edit_in_admin_goes_through_the_services(editor: Client) -> None:
    article = make_article(topic=make_topic(), title="Old title", status=Article.Status.DRAFT)
    url = f"/admin/helpcenter/article/{article.pk}/change/"
    page = editor.get(url)
    assert page.status_code == 200
    assert "Revision history" in page.content.decode()
    response = editor.post(
        url,
        _form(article, title="Platypus payouts", status="published", keywords_text="late, missing", note="publish"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.title == "Platypus payouts"
    assert article.keywords == ["late", "missing"]
    assert article.revisions.first().note == "publish"
    assert search_articles(q="platypus", locale="en").hits


def test_markdown_preview_is_sanitized(editor: Client) -> None:
    response = editor.post("/admin/helpcenter/article/preview/", {"markdown": "**hi** <script>x()</script>"})
    assert response.json()["html"].startswith("<p><strong>hi</strong>")
    assert "<script>" not in response.json()["html"]
    assert Client().post("/admin/helpcenter/article/preview/", {"markdown": "x"}).status_code == 302


def test_publish_action_and_revision_restore(editor: Client) -> None:
    article = make_article(topic=make_topic(), title="Version one", status=Article.Status.DRAFT)
    editor.post(
        "/admin/helpcenter/article/",
        {"action": "publish", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    first = article.revisions.get(number=1)
    editor.post(f"/admin/helpcenter/article/{article.pk}/change/", _form(article, title="Version two"))
    response = editor.post(f"/admin/helpcenter/article/{article.pk}/restore/{first.pk}/")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Version one"
    assert article.status == Article.Status.DRAFT  # the restored revision's state
    assert article.revisions.count() == 4
