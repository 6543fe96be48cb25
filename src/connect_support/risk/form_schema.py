"""The declarative form an intervention asks the account to answer.

A form is a list of questions, stored on the intervention as JSON::

    [{"name": "business_description", "type": "business_question" | "free_text"
      | "document" | "identity_document", "label": "...", "help": "...", "required": true,
      "choices": ["...", ...]}]          # choices only for business questions with options

``form_validate`` checks an agent's schema; ``answers_clean`` checks an account's answers
against it; ``form_describe`` turns it into the banner's form description (the shape of
embedded/sections.py) so the banner renders it without knowing about risk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connect_support.accounts.errors import InvalidParameterError

QUESTION_TYPES = ("business_question", "free_text", "document", "identity_document")
FILE_TYPES = ("document", "identity_document")
MAX_QUESTIONS = 20
MAX_TEXT = 2000
ALLOWED_FILE_TYPES = {"application/pdf": b"%PDF", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff"}
MAX_FILE_BYTES = 10 * 1024 * 1024

DEFAULT_FORMS: dict[str, list[dict[str, Any]]] = {
    "fraud": [
        {
            "name": "business_description",
            "type": "business_question",
            "label": "What does your business sell, and to whom?",
            "required": True,
        },
        {"name": "fulfilment", "type": "free_text", "label": "How and when do customers receive what they buy?"},
        {
            "name": "identity",
            "type": "identity_document",
            "label": "A photo ID of the account's representative",
            "required": False,
        },
    ],
    "credit": [
        {
            "name": "refund_policy",
            "type": "business_question",
            "label": "How long after payment do you deliver?",
            "required": True,
            "choices": ["At once", "Within 7 days", "Within 30 days", "Later than 30 days"],
        },
        {"name": "statement", "type": "document", "label": "Your latest bank statement", "required": False},
    ],
    "supportability": [
        {"name": "products", "type": "business_question", "label": "Describe the products or services you sell."},
    ],
    "compliance": [
        {"name": "ownership", "type": "free_text", "label": "Who owns or controls the business?", "required": True},
        {"name": "registration", "type": "document", "label": "Proof of business registration", "required": False},
    ],
}


def form_validate(form: Any) -> list[dict[str, Any]]:
    """The cleaned schema, or InvalidParameterError naming the bad question."""
    if not isinstance(form, Sequence) or isinstance(form, str | bytes) or not 0 < len(form) <= MAX_QUESTIONS:
        raise InvalidParameterError("form", f"The form needs between 1 and {MAX_QUESTIONS} questions.")
    cleaned: list[dict[str, Any]] = []
    names: set[str] = set()
    for index, question in enumerate(form):
        param = f"form[{index}]"
        if not isinstance(question, Mapping):
            raise InvalidParameterError(param, "Each question is an object with a name, type and label.")
        name = str(question.get("name", "")).strip()
        kind = str(question.get("type", "")).strip()
        label = str(question.get("label", "")).strip()
        if not name.isidentifier() or len(name) > 60 or name in names:
            raise InvalidParameterError(f"{param}[name]", "Each question needs a unique name (letters, digits, _).")
        if kind not in QUESTION_TYPES:
            raise InvalidParameterError(f"{param}[type]", f"The type must be one of {', '.join(QUESTION_TYPES)}.")
        if not label or len(label) > 300:
            raise InvalidParameterError(f"{param}[label]", "Each question needs a label of at most 300 characters.")
        names.add(name)
        item: dict[str, Any] = {
            "name": name,
            "type": kind,
            "label": label,
            "help": str(question.get("help", ""))[:500],
            "required": question.get("required", True) not in (False, "false", "0", 0),
        }
        choices = question.get("choices")
        if choices:
            if kind != "business_question" or not isinstance(choices, Sequence) or isinstance(choices, str):
                raise InvalidParameterError(f"{param}[choices]", "Only business questions take a list of choices.")
            item["choices"] = [str(c)[:200] for c in choices][:20]
        cleaned.append(item)
    return cleaned


def answers_clean(form: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> dict[str, str]:
    """The text answers to the form's text questions. Documents come separately (files)."""
    answers: dict[str, str] = {}
    for question in form:
        if question["type"] in FILE_TYPES:
            continue
        raw = values.get(question["name"], "")
        text = " ".join(str(raw).split()) if question.get("choices") else str(raw).strip()
        if len(text) > MAX_TEXT:
            raise InvalidParameterError(question["name"], f"Keep the answer under {MAX_TEXT} characters.")
        if question.get("choices") and text and text not in question["choices"]:
            raise InvalidParameterError(question["name"], "Choose one of the options.")
        if question.get("required") and not text:
            raise InvalidParameterError(question["name"], "Answer this question.")
        answers[question["name"]] = text
    return answers


def file_check(*, field: str, filename: str, content_type: str, content: bytes) -> None:
    """Refuse oversized files and files whose bytes are not what their type says."""
    if len(content) > MAX_FILE_BYTES:
        raise InvalidParameterError(field, "The file is larger than 10 MB.")
    if not content:
        raise InvalidParameterError(field, "The file is empty.")
    magic = ALLOWED_FILE_TYPES.get(content_type)
    if magic is None:
        raise InvalidParameterError(field, "Upload a PDF, PNG or JPEG file.")
    if not content.startswith(magic):
        raise InvalidParameterError(
            field, f"The file {filename[:80]!r} is not a real {content_type.split('/')[1].upper()}."
        )


def form_describe(*, form_id: str, title: str, description: str, form: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The banner's form description for the text questions; documents are listed for
    upload (the banner shows them as file fields)."""
    fields = []
    for question in form:
        if question["type"] in FILE_TYPES:
            kind = "file"
        elif question.get("choices"):
            kind = "select"
        else:
            kind = "textarea" if question["type"] == "free_text" else "text"
        field: dict[str, Any] = {
            "name": question["name"],
            "label": question["label"],
            "type": kind,
            "required": bool(question.get("required")),
            "value": "",
            "width": "full",
            "maxlength": MAX_TEXT,
        }
        if question.get("help"):
            field["help"] = question["help"]
        if question.get("choices"):
            field["options"] = [{"value": c, "label": c} for c in question["choices"]]
        if kind == "file":
            field["accept"] = ",".join(ALLOWED_FILE_TYPES)
        fields.append(field)
    return {
        "id": form_id,
        "title": title,
        "description": description,
        "requiresAuthentication": True,
        "summary": [],
        "groups": [{"legend": "", "description": "", "fields": fields}],
    }
