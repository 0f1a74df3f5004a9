"""The certificate table's filter form: every field optional, every mistake explained."""

from __future__ import annotations

from typing import Any

from django import forms

from compliance_hub.certificates.names import fold
from compliance_hub.core.dates import human_date
from compliance_hub.core.forms import OptionalDateField

NAME_MAX_LENGTH = 100

# (from field, to field, what the pair is called in messages)
DATE_RANGES = (
    ("effective_from", "effective_to", "effective date"),
    ("end_from", "end_to", "end date"),
    ("active_from", "active_to", "active during"),
)
STATUS_CHOICES = (("", "All"), ("current", "Current"), ("void", "Void"))


class TableFilterForm(forms.Form):
    """Bound to the query string; invalid fields are reported and left out, never fatal."""

    effective_from = OptionalDateField(label="From")
    effective_to = OptionalDateField(label="To")
    end_from = OptionalDateField(label="From")
    end_to = OptionalDateField(label="To")
    active_from = OptionalDateField(label="From")
    active_to = OptionalDateField(label="To")
    q = forms.CharField(
        label="Contractor name",
        required=False,
        max_length=NAME_MAX_LENGTH,
        strip=True,
        help_text="First or last name, or the start of it; accents and case do not matter.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        error_messages={
            "max_length": f"Type at most {NAME_MAX_LENGTH} characters of the name.",
        },
    )
    status = forms.ChoiceField(
        label="Certificate status",
        required=False,
        choices=STATUS_CHOICES,
        error_messages={"invalid_choice": "Choose All, Current or Void."},
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data.get("q", "")
        if value and not fold(value):
            raise forms.ValidationError("Type letters of the contractor's name.", code="no_letters")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for start_name, end_name, label in DATE_RANGES:
            start, end = cleaned.get(start_name), cleaned.get(end_name)
            if start is not None and end is not None and end < start:
                self.add_error(
                    end_name,
                    forms.ValidationError(
                        "The “to” date (%(end)s) is before the “from” date (%(start)s); "
                        "the %(label)s filter was not applied.",
                        code="reversed",
                        params={"end": human_date(end), "start": human_date(start), "label": label},
                    ),
                )
                cleaned.pop(start_name, None)  # a half-applied range would mislead
        return cleaned
