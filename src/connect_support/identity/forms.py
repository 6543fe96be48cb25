"""Forms of the support site's sign-in pages. Sizes are bounded before anything is parsed."""

from __future__ import annotations

from django import forms

from connect_support.identity.challenges import Identifier, IdentifierError, identifier_parse

TOO_LONG = "That is too long to be an email address or a phone number."


class IdentifierForm(forms.Form):
    identifier = forms.CharField(
        label="Email or mobile number",
        max_length=254,
        error_messages={
            "required": "Enter the email address or mobile number you use for your business.",
            "max_length": TOO_LONG,
        },
    )

    def clean_identifier(self) -> Identifier:
        try:
            return identifier_parse(self.cleaned_data["identifier"])
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc)) from exc


class CodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code",
        max_length=64,
        strip=False,
        error_messages={
            "required": "Enter the 6-digit code from the text message.",
            "max_length": "Enter the 6-digit code from the text message.",
        },
    )


class AccountChoiceForm(forms.Form):
    account = forms.CharField(max_length=40, error_messages={"required": "Choose a business."})
