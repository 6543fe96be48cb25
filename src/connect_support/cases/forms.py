"""The support site's case forms: the contact form and the reply form of a thread.

Files are checked here by their content (the same check the services repeat) so that a
refused file is an error next to the field, before anything is stored.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlparse

from django import forms
from django.core.files.uploadedfile import UploadedFile

from connect_support.cases.attachments import (
    ACCEPT_ATTRIBUTE,
    AttachmentRefusedError,
    attachment_check,
    max_attachment_bytes,
    max_attachment_count,
)
from connect_support.cases.services import IncomingFile

ACCOUNT_ID = re.compile(r"^acct_[A-Za-z0-9]{1,36}$")
CONTEXT_CODE = re.compile(r"^[a-z0-9_.:\-]{1,80}$")
ARTICLE_PATH = re.compile(r"^/embedded-connect/([a-z0-9-]{1,40})/([a-z0-9]+(?:-[a-z0-9]+)*)/$")
OTHER_TOPIC = "other"
FILES_HINT = "Up to 5 files of 10 MB each: PDF, PNG, JPEG, HEIC, TXT or CSV."


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to five files, each at most 10 MB, each one of the accepted types by content."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": ACCEPT_ATTRIBUTE, "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[IncomingFile]:
        uploads: list[UploadedFile] = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > max_attachment_count():
            raise forms.ValidationError(f"Attach at most {max_attachment_count()} files.")
        files: list[IncomingFile] = []
        errors: list[str] = []
        for upload in uploads:
            name = upload.name or "attachment"
            if upload.size is not None and upload.size > max_attachment_bytes():
                errors.append(f"“{name}” is larger than {max_attachment_bytes() // 1_048_576} MB.")
                continue
            content = upload.read()
            try:
                attachment_check(filename=name, content=content)
            except AttachmentRefusedError as refused:
                errors.append(str(refused))
                continue
            files.append(IncomingFile(filename=name, content=content))
        if errors:
            raise forms.ValidationError(errors)
        return files


class AccessibleForm(forms.Form):
    """Fields with errors say so to assistive technology: ``aria-invalid`` and
    ``aria-describedby`` pointing at the error (and the hint, when there is one)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}-error"]
            if self.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(ids)})


def _clean_code(value: str) -> str:
    value = (value or "").strip().lower()
    return value if CONTEXT_CODE.match(value) else ""


class CaseForm(AccessibleForm):
    name = forms.CharField(label="Your name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label="Email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    topic = forms.ChoiceField(label="Topic")
    subject = forms.CharField(label="Subject", max_length=200)
    description = forms.CharField(
        label="How can we help?",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="Include what happened and when, with any payment, payout or dispute IDs. "
        "Never include full card numbers or passwords.",
    )
    account_id = forms.CharField(
        label="Account ID (optional)",
        max_length=40,
        required=False,
        help_text="It starts with acct_. We link the case to the account only once you prove it is yours "
        "(from the email we send you, or by signing in).",
    )
    attachments = AttachmentsField(label="Attachments (optional)", help_text=FILES_HINT)
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Context, filled in by the page (never typed): where the visitor came from.
    source = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    requirement = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    intervention = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    viewed = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)
    # A field people never see: only robots fill it in.
    website = forms.CharField(
        required=False, max_length=200, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        assert isinstance(topic, forms.ChoiceField)  # noqa: S101 (declared just above)
        topic.choices = [("", "Choose a topic"), *topics, (OTHER_TOPIC, "Something else")]

    def clean_account_id(self) -> str:
        value = str(self.cleaned_data.get("account_id") or "").strip()
        if value and not ACCOUNT_ID.match(value):
            raise forms.ValidationError("Account IDs start with acct_, like acct_1a2b3c. Leave it empty if unsure.")
        return value

    def clean_source(self) -> str:
        return _clean_code(self.cleaned_data.get("source", ""))

    def clean_requirement(self) -> str:
        return _clean_code(self.cleaned_data.get("requirement", ""))

    def clean_intervention(self) -> str:
        return _clean_code(self.cleaned_data.get("intervention", ""))

    def clean_viewed(self) -> list[str]:
        return viewed_article_paths(self.cleaned_data.get("viewed", ""))

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def viewed_article_paths(raw: str) -> list[str]:
    """Support-site article paths from the page's JSON list (or one path), deduplicated."""
    try:
        values = json.loads(raw) if raw.strip().startswith("[") else [raw]
    except ValueError:
        return []
    paths: list[str] = []
    for value in values if isinstance(values, list) else []:
        if isinstance(value, str):
            path = urlparse(value.strip()).path
            if ARTICLE_PATH.match(path) and path not in paths:
                paths.append(path)
    return paths[:10]


class ReplyForm(AccessibleForm):
    body = forms.CharField(
        label="Your reply", max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    attachments = AttachmentsField(label="Attachments (optional)", help_text=FILES_HINT)
    reply_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("body") or "").strip() and not cleaned.get("attachments") and not self.errors:
            raise forms.ValidationError("Write a reply or attach a file.")
        return cleaned


class DeflectionForm(forms.Form):
    article_url = forms.CharField(max_length=300)
    subject = forms.CharField(max_length=200, required=False)
    topic = forms.CharField(max_length=40, required=False)
    suggested = forms.CharField(max_length=4000, required=False)
    source = forms.CharField(required=False, max_length=200)

    def clean_article_url(self) -> str:
        paths = viewed_article_paths(self.cleaned_data.get("article_url", ""))
        if not paths:
            raise forms.ValidationError("Not an article of this site.")
        return paths[0]

    def clean_suggested(self) -> list[str]:
        return viewed_article_paths(self.cleaned_data.get("suggested", ""))

    def clean_source(self) -> str:
        return _clean_code(self.cleaned_data.get("source", ""))
