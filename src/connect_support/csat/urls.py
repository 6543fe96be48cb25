"""Routes under ``/embedded-connect/rate/`` (mounted before the help center's routes)."""

from django.urls import re_path

from connect_support.csat import views

_TOKEN = r"(?P<token>[A-Za-z0-9_:\-]{10,300})"
_CHAT = r"(?P<conversation_id>chat_[A-Za-z0-9]{1,36})"

app_name = "csat"
urlpatterns = [
    re_path(rf"^chat/{_CHAT}$", views.rate_chat, name="rate-chat"),
    re_path(rf"^{_TOKEN}/$", views.rate_case, name="rate-case"),
]
