from django.contrib import admin
from django.urls import include, path

from connect_support import metrics, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", metrics.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("v1/", include("connect_support.api.urls")),
    path("operator/v1/", include("connect_support.api.operator_urls")),
    path("demo/", include("connect_support.platform_demo.urls")),
    path("admin/", admin.site.urls),
    # Sign-in pages first: the help center's catch-all topic pattern would take "auth/".
    path("embedded-connect/auth/", include("connect_support.identity.urls")),
    path("embedded/auth/", include("connect_support.embedded.auth_urls")),
    path("embedded/api/", include("connect_support.embedded.component_urls")),
    path("console/", include("connect_support.console.urls")),
    # Email cases before the help center's catch-all topic pattern; ESP inbound webhooks.
    path("embedded-connect/cases/", include("connect_support.cases.urls")),
    path("embedded-connect/chat/", include("connect_support.chat.urls")),
    # Customer satisfaction ratings and support-site counters, before the catch-all too.
    path("embedded-connect/rate/", include("connect_support.csat.urls")),
    path("embedded-connect/analytics/", include("connect_support.analytics.urls")),
    path("mail/", include("connect_support.cases.mail_urls")),
    path("embedded-connect/", include("connect_support.helpcenter.urls")),
]

handler404 = "connect_support.views.page_not_found"
handler500 = "connect_support.views.server_error"
