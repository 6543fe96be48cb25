"""Forms of the console's case view and macros page; every field is bounded. Each change
form carries the case version it was made on (optimistic locking, see cases.editing)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from connect_support.cases.forms import FILES_HINT, AttachmentsField
from connect_support.cases.macros import BODY_MAX, TITLE_MAX
from connect_support.cases.models import Case
from connect_support.cases.services import MAX_BODY_CHARS

REPLY_STATUSES = [
    ("pending", "Waiting for the requester's reply"),
    ("open", "Open"),
    ("on_hold", "On hold"),
    ("solved", "Solved"),
]
NOTE_STATUSES = [("", "Leave the status as it is"), *Case.Status.choices]


class _Versioned(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"required": "The form is incomplete."},
    )


class ReplyForm(_Versioned):
    kind = forms.ChoiceField(
        label="Send as",
        choices=[("reply", "Public reply (emailed to the requester)"), ("note", "Internal note (agents only)")],
        widget=forms.RadioSelect,
        initial="reply",
    )
    body = forms.CharField(
        label="Message",
        required=False,
        max_length=MAX_BODY_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"max_length": "The message is too long (at most %(limit_value)s characters)."},
    )
    reply_status = forms.ChoiceField(label="After a reply, set the case to", choices=REPLY_STATUSES, initial="pending")
    note_status = forms.ChoiceField(label="After a note", choices=NOTE_STATUSES, required=False)
    attachments = AttachmentsField(label="Attach files", help_text=FILES_HINT)
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=16)


class _AgentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.email


class CaseEditForm(_Versioned):
    status = forms.ChoiceField(label="Status", choices=Case.Status.choices)
    priority = forms.ChoiceField(label="Priority", choices=Case.Priority.choices)
    assignee = _AgentChoiceField(label="Assignee", queryset=User.objects.none(), required=False, empty_label="Nobody")
    tags = forms.CharField(
        label="Tags", required=False, max_length=1000, help_text="Separated by commas, e.g. payouts, vip."
    )

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (declared above)
        field.queryset = assignees


class MergeForm(_Versioned):
    into = forms.IntegerField(
        label="Merge this case into case number",
        min_value=1,
        max_value=2**62,
        error_messages={"required": "Enter the number of the case to keep.", "invalid": "Enter a case number."},
    )
    confirm = forms.BooleanField(
        label="I understand: this case's messages move there and this case is closed.",
        error_messages={"required": "Tick the box to confirm the merge."},
    )


class MacroForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    body = forms.CharField(
        label="Text",
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. Placeholders such as {{ requester.first_name }} are filled in when you insert it.",
    )
    shared = forms.BooleanField(label="Shared with every agent", required=False)
