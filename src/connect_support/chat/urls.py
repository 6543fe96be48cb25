"""Routes under ``/embedded-connect/chat/`` (the WebSocket is in ``ws_urls``)."""

from django.urls import re_path

from connect_support.chat import views

_CHAT = r"(?P<conversation_id>chat_[A-Za-z0-9]{1,36})"
_FILE = r"(?P<attachment_id>file_[A-Za-z0-9]{1,36})"

app_name = "chat"
urlpatterns = [
    re_path(r"^state$", views.state, name="state"),
    re_path(rf"^{_CHAT}/files$", views.upload, name="upload"),
    re_path(rf"^{_CHAT}/files/{_FILE}/$", views.download, name="download"),
]
