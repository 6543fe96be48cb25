from django.urls import path, re_path

from connect_support.api import views
from connect_support.api.pipeline import not_found

urlpatterns = [
    path("openapi.json", views.openapi, name="api-openapi"),
    path("accounts", views.accounts, name="api-accounts"),
    path("accounts/<str:account_id>", views.account, name="api-account"),
    path("account_sessions", views.account_sessions, name="api-account-sessions"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
