from django.urls import path

from connect_support.embedded import auth_views

urlpatterns = [
    path("", auth_views.popup, name="embedded-auth"),
    path("send", auth_views.send, name="embedded-auth-send"),
    path("code", auth_views.code, name="embedded-auth-code"),
    path("resend", auth_views.resend, name="embedded-auth-resend"),
    path("done", auth_views.done, name="embedded-auth-done"),
    path("handoff", auth_views.handoff, name="embedded-auth-handoff"),
]
