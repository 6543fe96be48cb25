"""Routes under ``/embedded-connect/analytics/``."""

from django.urls import path

from connect_support.analytics import views

app_name = "analytics"
urlpatterns = [path("beacon", views.beacon, name="beacon")]
