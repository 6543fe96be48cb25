"""The support site's pages and its two small JSON endpoints.

Pages are visitor-neutral: nothing on them depends on who is looking, so the page cache
(:mod:`connect_support.helpcenter.page_cache`) may serve the same bytes to everyone.
Whatever does depend on the visitor (signed in or not, the CSRF token for the feedback
form) comes from ``api/me``, which is never cached.
"""

from __future__ import annotations

import secrets
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from connect_support.helpcenter import selectors, services
from connect_support.helpcenter.content_version import content_version
from connect_support.helpcenter.contexts import visitor_context
from connect_support.helpcenter.locales import locale_names, negotiate_locale, requested_locale
from connect_support.helpcenter.models import Article, Topic
from connect_support.helpcenter.page_cache import CACHE_MARK_HEADER
from connect_support.helpcenter.search import SearchHit

VISITOR_COOKIE = "hc_visitor"
VISITOR_COOKIE_AGE = 365 * 24 * 60 * 60
DEFAULT_SEARCH_LIMIT = 10


def _locale(request: HttpRequest) -> str:
    return negotiate_locale(
        query_locale=request.GET.get("locale"), accept_language=request.headers.get("Accept-Language")
    )


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, locale: str, cacheable: bool, status: int = 200
) -> HttpResponse:
    """Render a page in ``locale``; mark it for the page cache when it may be shared."""
    # Read before rendering: a publish during the render then leaves this page under the
    # old version, where nobody will look for it again.
    version = content_version() if cacheable else ""
    explicit = requested_locale(request.GET.get("locale"))
    with translation.override(locale):
        response = render(
            request,
            template,
            {
                **context,
                "LANGUAGE_CODE": locale,
                "locale": locale,
                "locale_names": locale_names(),
                "locale_query": f"?locale={explicit}" if explicit else "",
            },
            status=status,
        )
        response["Content-Language"] = locale
    if cacheable:
        response[CACHE_MARK_HEADER] = version
    return response


def _only_locale_in_query(request: HttpRequest) -> bool:
    return set(request.GET) <= {"locale"}


def _not_found(request: HttpRequest, *, locale: str) -> HttpResponse:
    context = {"topics": selectors.topic_list(locale=locale), "query": ""}
    return _page(request, "helpcenter/not_found.html", context, locale=locale, cacheable=False, status=404)


def not_found_page(request: HttpRequest) -> HttpResponse:
    """The support site's 404 (with search), for any unknown path under the site."""
    return _not_found(request, locale=_locale(request))


def _context_block(request: HttpRequest, *, locale: str) -> dict[str, Any]:
    found = visitor_context(
        source=request.GET.get("source"),
        requirement=request.GET.get("requirement"),
        intervention=request.GET.get("intervention"),
    )
    if found is None:
        return {}
    articles = selectors.articles_for_context(tags=found.tags, locale=locale)
    return {"visitor_context": found, "context_articles": articles} if articles else {}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    locale = _locale(request)
    context = {
        "topics": selectors.topic_list(locale=locale),
        "popular": selectors.popular_articles(locale=locale),
        **_context_block(request, locale=locale),
    }
    return _page(request, "helpcenter/home.html", context, locale=locale, cacheable=_only_locale_in_query(request))


@require_GET
def topic(request: HttpRequest, topic_slug: str) -> HttpResponse:
    locale = _locale(request)
    found = selectors.topic_get(slug=topic_slug)
    if found is None:
        return _not_found(request, locale=locale)
    context = {
        "topic": found,
        "articles": selectors.topic_articles(topic=found, locale=locale),
        **_context_block(request, locale=locale),
    }
    return _page(request, "helpcenter/topic.html", context, locale=locale, cacheable=_only_locale_in_query(request))


def _article_or_none(topic_slug: str, article_slug: str, locale: str) -> tuple[Topic, Article] | None:
    found_topic = selectors.topic_get(slug=topic_slug)
    if found_topic is None:
        return None
    article = selectors.article_for_page(topic=found_topic, slug=article_slug, locale=locale)
    return (found_topic, article) if article is not None else None


@require_GET
def article(request: HttpRequest, topic_slug: str, article_slug: str) -> HttpResponse:
    locale = _locale(request)
    found = _article_or_none(topic_slug, article_slug, locale)
    if found is None:
        return _not_found(request, locale=locale)
    found_topic, found_article = found
    context = {
        "topic": found_topic,
        "article": found_article,
        "related": selectors.related_questions(article=found_article, locale=locale),
    }
    return _page(request, "helpcenter/article.html", context, locale=locale, cacheable=_only_locale_in_query(request))


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    locale = _locale(request)
    query = request.GET.get("q", "").strip()
    results = selectors.search_articles(q=query, locale=locale, limit=20) if query else None
    context: dict[str, Any] = {"query": query, "results": results, "topics": selectors.topic_list(locale=locale)}
    if results is not None and not results.hits:
        context["popular"] = selectors.popular_articles(locale=locale, limit=6)
    return _page(request, "helpcenter/search.html", context, locale=locale, cacheable=False)


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    locale = _locale(request)
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    context = {"support_email": address, "topics": selectors.topic_list(locale=locale)}
    return _page(request, "helpcenter/contact.html", context, locale=locale, cacheable=False)


def _hit_json(hit: SearchHit) -> dict[str, str]:
    return {"title": hit.title, "url": hit.url, "topic": hit.topic_slug, "snippet": hit.snippet_html}


@require_GET
def api_search(request: HttpRequest) -> JsonResponse:
    """``GET api/search?q=…&limit=N`` → ``{"results": [{"title", "url", "topic", "snippet"}]}``.

    ``snippet`` is HTML: escaped text in which the matched words are wrapped in ``<mark>``.
    ``typing=1`` treats the last word as unfinished (type-ahead).
    """
    try:
        limit = int(request.GET.get("limit", DEFAULT_SEARCH_LIMIT))
    except ValueError:
        limit = DEFAULT_SEARCH_LIMIT
    query = request.GET.get("q", "")
    results = selectors.search_articles(
        q=query, locale=_locale(request), limit=limit, typing=request.GET.get("typing") == "1"
    )
    response = JsonResponse({"results": [_hit_json(hit) for hit in results.hits]})
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@require_GET
def api_me(request: HttpRequest) -> JsonResponse:
    """What depends on the visitor, fetched by the page's script and never cached.

    ``signed_in`` is always false until account users can sign in on the support site.
    """
    return JsonResponse({"signed_in": False, "csrf_token": get_token(request)})


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def feedback(request: HttpRequest, topic_slug: str, article_slug: str) -> HttpResponse:
    """Record "Was this helpful?" (``helpful=yes|no``) or a comment on one's own vote."""
    locale = _locale(request)
    found = _article_or_none(topic_slug, article_slug, locale)
    if found is None:
        return JsonResponse({"error": "unknown article"}, status=404)
    _topic, found_article = found
    token = request.COOKIES.get(VISITOR_COOKIE) or ""
    if len(token) < 20 or len(token) > 100:
        token = secrets.token_urlsafe(32)
    helpful = request.POST.get("helpful")
    comment = request.POST.get("comment")
    try:
        if helpful in {"yes", "no"}:
            counted = services.feedback_record(
                article=found_article, visitor_token=token, helpful=helpful == "yes", client_ip=_client_ip(request)
            )
            payload: dict[str, Any] = {"status": "counted" if counted else "already_counted"}
        elif comment is not None:
            saved = services.feedback_add_comment(article=found_article, visitor_token=token, comment=comment)
            payload = {"status": "comment_saved" if saved else "vote_first"}
        else:
            return JsonResponse({"error": "send helpful=yes or helpful=no"}, status=400)
    except services.FeedbackRejectedError as rejected:
        return JsonResponse({"error": str(rejected)}, status=429)
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse(payload)
    else:
        response = HttpResponseRedirect(f"{found_article.get_absolute_url()}#feedback")
    response.set_cookie(
        VISITOR_COOKIE,
        token,
        max_age=VISITOR_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
