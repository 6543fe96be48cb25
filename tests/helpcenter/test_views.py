from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from connect_support.helpcenter.models import TOPIC_SLUGS, Article, ArticleFeedback
from connect_support.helpcenter.page_cache import CACHE_MARK_HEADER
from connect_support.helpcenter.services import FEEDBACK_LIMIT_PER_IP


@pytest.fixture
def client(corpus: Any, db: Any) -> Client:
    return Client()


def test_home_has_search_topics_popular_questions_and_the_contact_panel(client: Client) -> None:
    page = client.get("/embedded-connect/").content.decode()
    assert "How can we help?" in page
    assert 'role="search"' in page
    for slug in TOPIC_SLUGS:
        assert f'href="/embedded-connect/{slug}/"' in page
    assert "Popular questions" in page
    assert 'class="hc-contact"' in page
    assert 'href="/embedded-connect/contact/"' in page


@pytest.mark.parametrize("slug", TOPIC_SLUGS)
def test_every_topic_page_lists_at_least_six_articles(client: Client, slug: str) -> None:
    response = client.get(f"/embedded-connect/{slug}/")
    assert response.status_code == 200
    assert response.content.decode().count('class="hc-articles__item"') >= 6


def test_article_page(client: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(4):
        response = client.get("/embedded-connect/payouts/change-bank-account/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Changing the bank account for payouts</h1>" in page
    assert 'aria-label="Breadcrumb"' in page
    assert 'href="/embedded-connect/payouts/">Payouts to your bank</a>' in page
    assert "Related questions" in page
    assert 'href="/embedded-connect/payouts/failed-payouts/"' in page
    assert "Was this helpful?" in page
    assert 'datetime="2026-11-01"' in page
    assert 'class="hc-contact"' in page


def test_pages_are_visitor_neutral_and_marked_for_the_cache(client: Client) -> None:
    for url in ("/embedded-connect/", "/embedded-connect/refunds/", "/embedded-connect/refunds/refund-timing/"):
        response = client.get(url)
        assert response[CACHE_MARK_HEADER]
        assert "Set-Cookie" not in response.headers
        assert "csrfmiddlewaretoken" not in response.content.decode()
    # Pages that depend on the query are rendered by Django every time.
    assert CACHE_MARK_HEADER not in client.get("/embedded-connect/search/", {"q": "refund"}).headers
    source = client.get("/embedded-connect/", {"source": "account_management.edit_payout_details"})
    assert CACHE_MARK_HEADER not in source.headers


def test_api_me_is_never_cached_and_says_signed_out(client: Client) -> None:
    response = client.get("/embedded-connect/api/me")
    assert response.json()["signed_in"] is False
    assert response.json()["csrf_token"]
    assert "no-store" in response["Cache-Control"]


def test_context_entry_shows_the_tagged_articles_first(client: Client) -> None:
    page = client.get("/embedded-connect/", {"source": "account_management.edit_payout_details"}).content.decode()
    assert "Help with editing payout details" in page
    context = page[page.index('class="hc-context"') : page.index("Browse by topic")]
    assert "/embedded-connect/payouts/change-bank-account/" in context
    requirement = client.get(
        "/embedded-connect/", {"source": "notification_banner.compliance_form", "requirement": "external_account"}
    ).content.decode()
    assert "Help with adding a bank account for payouts" in requirement
    # Nonsense contexts are ignored, never an error.
    odd = client.get("/embedded-connect/", {"source": "<script>", "intervention": "x" * 500})
    assert odd.status_code == 200
    assert "Help with" not in odd.content.decode()


def test_unknown_article_is_a_404_page_with_search(client: Client) -> None:
    response = client.get("/embedded-connect/payouts/no-such-article/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We couldn't find that page" in page
    assert 'role="search"' in page
    assert client.get("/embedded-connect/refunds/change-bank-account/").status_code == 404  # wrong topic


def test_empty_search_state_still_helps(client: Client) -> None:
    page = client.get("/embedded-connect/search/", {"q": "qqqxxzz"}).content.decode()
    assert "No articles match your search" in page
    assert "Popular questions" in page
    assert 'href="/embedded-connect/contact/"' in page
    results = client.get("/embedded-connect/search/", {"q": "payout late"}).content.decode()
    assert "<mark>" in results
    assert 'class="hc-result"' in results


def test_contact_page_says_how_to_reach_support(client: Client, settings: Any) -> None:
    page = client.get("/embedded-connect/contact/").content.decode()
    assert "mailto:support@localhost" in page
    assert "acct_" in page


def test_locale_negotiation_and_fallback(client: Client) -> None:
    french = client.get("/embedded-connect/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert french["Content-Language"] == "fr"
    assert '<html lang="fr">' in french.content.decode()
    explicit = client.get("/embedded-connect/", {"locale": "fr"}, HTTP_ACCEPT_LANGUAGE="en")
    assert explicit["Content-Language"] == "fr"
    # Links keep an explicit choice.
    assert 'href="/embedded-connect/payouts/?locale=fr"' in explicit.content.decode()
    assert client.get("/embedded-connect/", {"locale": "xx"})["Content-Language"] == "en"
    # An article without a translation is shown in English, and says so.
    untranslated = Article.objects.filter(locale="en").exclude(
        slug__in=Article.objects.filter(locale="fr").values("slug")
    )[0]
    page = client.get(untranslated.get_absolute_url(), {"locale": "fr"})
    assert page.status_code == 200
    assert 'lang="en"' in page.content.decode()


def _vote(client: Client, value: str, **extra: Any) -> Any:
    # A fresh address per call unless given: the rate limit counts per address across tests.
    extra.setdefault("REMOTE_ADDR", f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}")
    return client.post(
        "/embedded-connect/refunds/refund-timing/feedback/",
        {"helpful": value},
        HTTP_ACCEPT="application/json",
        **extra,
    )


def test_feedback_one_vote_per_visitor_with_a_comment(client: Client) -> None:
    article = Article.objects.get(slug="refund-timing", locale="en")
    assert _vote(client, "yes").json() == {"status": "counted"}
    assert _vote(client, "no").json() == {"status": "already_counted"}
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    comment = client.post(
        "/embedded-connect/refunds/refund-timing/feedback/",
        {"comment": "Clear, thanks <b>!</b>"},
        HTTP_ACCEPT="application/json",
    )
    assert comment.json() == {"status": "comment_saved"}
    assert ArticleFeedback.objects.get(article=article).comment == "Clear, thanks <b>!</b>"
    # Another visitor (no cookie) is counted separately.
    assert _vote(Client(), "no").json() == {"status": "counted"}
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 1)


def test_feedback_needs_csrf_and_a_real_answer(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert _vote(strict, "yes").status_code == 403
    token = strict.get("/embedded-connect/api/me").json()["csrf_token"]
    assert _vote(strict, "yes", HTTP_X_CSRFTOKEN=token).status_code == 200
    assert _vote(client, "maybe").status_code == 400
    assert client.post("/embedded-connect/refunds/nope/feedback/", {"helpful": "yes"}).status_code == 404
    assert client.get("/embedded-connect/refunds/refund-timing/feedback/").status_code == 405


def test_feedback_floods_are_rate_limited(client: Client) -> None:
    # The counters live in the cache, which in scale-out mode (Redis) outlives the test
    # database: start from none.
    cache.clear()
    codes = [_vote(Client(), "yes", REMOTE_ADDR="198.51.100.7").status_code for _ in range(FEEDBACK_LIMIT_PER_IP + 3)]
    assert codes[:FEEDBACK_LIMIT_PER_IP] == [200] * FEEDBACK_LIMIT_PER_IP
    assert codes[-1] == 429
    assert _vote(Client(), "yes", REMOTE_ADDR="198.51.100.8").status_code == 200
