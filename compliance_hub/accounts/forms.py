"""Forms for signing in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from compliance_hub.accounts.models import normalize_email


class DescribedErrorsMixin:
    """Point each invalid field's ``aria-describedby`` at its error list (``<id>_error``)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        form: forms.Form = self  # type: ignore[assignment]
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs = {**widget.attrs, "aria-describedby": f"{form[name].auto_id}_error"}

    def add_validation_error(self, exc: ValidationError) -> None:
        """Show a service's ``ValidationError``: under its fields, or above the form."""
        form: forms.Form = self  # type: ignore[assignment]
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in form.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class SignInForm(DescribedErrorsMixin, forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}
        ),
        error_messages={
            "required": "Enter your e-mail address.",
            "invalid": "Enter an e-mail address like name@example.com.",
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class CodeForm(DescribedErrorsMixin, forms.Form):
    code = forms.CharField(
        label="Code from the e-mail",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCD-2345",
            }
        ),
        error_messages={"required": "Enter the code from the e-mail."},
    )
