"""Routes under ``/embedded-connect/``. Topic routes match only the eleven topic slugs,
so other features can add their own paths under the same prefix."""

from django.urls import path, re_path

from connect_support.helpcenter import views
from connect_support.helpcenter.models import TOPIC_SLUGS

_TOPIC = "(?P<topic_slug>" + "|".join(TOPIC_SLUGS) + ")"
_ARTICLE = r"(?P<article_slug>[a-z0-9]+(?:-[a-z0-9]+)*)"

app_name = "helpcenter"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("contact/", views.contact, name="contact"),
    path("api/search", views.api_search, name="api-search"),
    path("api/me", views.api_me, name="api-me"),
    re_path(rf"^{_TOPIC}/$", views.topic, name="topic"),
    re_path(rf"^{_TOPIC}/{_ARTICLE}/$", views.article, name="article"),
    re_path(rf"^{_TOPIC}/{_ARTICLE}/feedback/$", views.feedback, name="feedback"),
]
