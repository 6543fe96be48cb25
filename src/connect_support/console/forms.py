"""Forms of the console's sign-in pages; every field is bounded."""

from __future__ import annotations

from django import forms


class PasswordForm(forms.Form):
    email = forms.CharField(
        label="Work email",
        max_length=254,
        error_messages={"required": "Enter your work email.", "max_length": "That email is too long."},
    )
    password = forms.CharField(
        label="Password",
        max_length=1024,
        strip=False,
        error_messages={"required": "Enter your password.", "max_length": "That password is too long."},
    )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=64,
        strip=False,
        error_messages={"required": "Enter the code.", "max_length": "That code is too long."},
    )
