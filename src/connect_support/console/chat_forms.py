"""Forms of the console's chat settings page; every field is bounded."""

from __future__ import annotations

from typing import Any

from django import forms

from connect_support.chat.availability import DAY_NAMES
from connect_support.chat.configuration import SettingsError, hours_parse
from connect_support.chat.models import ChatSettings


class ChatSettingsForm(forms.Form):
    enabled = forms.BooleanField(label="Chat is on", required=False)
    time_zone = forms.CharField(label="Time zone", max_length=64, help_text="An IANA name, e.g. Europe/Paris or UTC.")
    routing = forms.ChoiceField(label="Routing", choices=ChatSettings.Routing.choices)
    idle_minutes = forms.IntegerField(
        label="Close a chat after this many minutes without messages", min_value=2, max_value=24 * 60
    )
    no_answer_seconds = forms.IntegerField(
        label="Offer email when no agent has answered after (seconds)", min_value=15, max_value=24 * 60 * 60
    )
    max_wait_minutes = forms.IntegerField(
        label="Close a chat still waiting in the queue after (minutes)", min_value=1, max_value=24 * 60
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(DAY_NAMES):
            self.fields[f"day_{day}"] = forms.CharField(
                label=name,
                required=False,
                max_length=200,
                help_text="Ranges like 09:00-12:00, 13:00-17:00; empty means closed; 00:00-24:00 is all day.",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hours: dict[str, list[list[str]]] = {}
        for day in range(7):
            try:
                hours[str(day)] = hours_parse(cleaned.get(f"day_{day}", "") or "")
            except SettingsError as error:
                self.add_error(f"day_{day}", str(error))
        cleaned["weekly_hours"] = hours
        return cleaned


class HolidayForm(forms.Form):
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label="Name", max_length=100)
