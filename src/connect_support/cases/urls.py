"""Routes under ``/embedded-connect/cases/`` (mounted before the help center's routes)."""

from django.urls import path, re_path

from connect_support.cases import thread_views, views

_CASE = r"(?P<case_id>case_[A-Za-z0-9]{1,36})"
_FILE = r"(?P<attachment_id>file_[A-Za-z0-9]{1,36})"
_TOKEN = r"(?P<token>[A-Za-z0-9_:\-]{10,200})"

app_name = "cases"
urlpatterns = [
    path("", thread_views.case_list, name="list"),
    path("new/", views.new_case, name="new"),
    path("new/sent/", views.case_sent, name="sent"),
    path("new/solved/", views.deflect, name="deflect"),
    re_path(rf"^private/{_TOKEN}/$", thread_views.case_private, name="private"),
    re_path(rf"^private/{_TOKEN}/files/{_FILE}/$", thread_views.private_file, name="private-file"),
    re_path(rf"^{_CASE}/$", thread_views.case_detail, name="detail"),
    re_path(rf"^{_CASE}/files/{_FILE}/$", thread_views.case_file, name="file"),
]
