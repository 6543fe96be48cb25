from django.urls import path

from connect_support.identity import views

urlpatterns = [
    path("", views.start, name="support-auth-start"),
    path("code", views.code, name="support-auth-code"),
    path("resend", views.resend, name="support-auth-resend"),
    path("choose", views.choose, name="support-auth-choose"),
    path("sign-out", views.sign_out, name="support-auth-sign-out"),
    path("me", views.me, name="support-auth-me"),
    path("handoff", views.handoff, name="support-auth-handoff"),
]
