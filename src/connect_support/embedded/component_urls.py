from django.urls import path

from connect_support.embedded import component_views

urlpatterns = [
    path("boot", component_views.boot, name="embedded-api-boot"),
    path("ping", component_views.ping, name="embedded-api-ping"),
    path("session", component_views.session_view, name="embedded-api-session"),
    path("logout", component_views.logout_view, name="embedded-api-logout"),
    path("components/<str:component>", component_views.component_view, name="embedded-api-component"),
    path(
        "components/<str:component>/sections/<str:section>",
        component_views.section_view,
        name="embedded-api-section",
    ),
    path("components/account_onboarding/submit", component_views.submit_view, name="embedded-api-submit"),
    path("notifications/<str:item>/answer", component_views.answer_view, name="embedded-api-answer"),
]
