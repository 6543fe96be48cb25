from django.urls import path

from connect_support.platform_demo import views

urlpatterns = [
    path("", views.home, name="demo-home"),
    path("accounts", views.create_account, name="demo-create-account"),
    path("<slug:platform_slug>/sellers/<str:account_id>/", views.seller_settings, name="demo-seller"),
    path(
        "<slug:platform_slug>/sellers/<str:account_id>/account_session",
        views.account_session,
        name="demo-account-session",
    ),
]
