"""The certificate table's filter form: every field optional, every mistake explained."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from compliance_hub.certificates.names import fold

MIN_YEAR = 1900
MAX_YEAR = 2199
NAME_MAX_LENGTH = 100
_ISO_DATE = re.compile(r"^(\d{1,6})-(\d{1,2})-(\d{1,2})$")

# (from field, to field, what the pair is called in messages)
DATE_RANGES = (
    ("effective_from", "effective_to", "effective date"),
    ("end_from", "end_to", "end date"),
    ("active_from", "active_to", "active during"),
)
STATUS_CHOICES = (("", "All"), ("current", "Current"), ("void", "Void"))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_date(value: date) -> str:
    """``Mar 4, 2026``: the unambiguous format the portal shows dates in (any locale)."""
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def parse_iso_date(raw: str) -> date:
    """Parse ``YYYY-MM-DD`` strictly, raising ValidationError with a message a person can act on."""
    text = raw.strip()
    match = _ISO_DATE.match(text)
    if match is None:
        raise forms.ValidationError(
            "Enter the date as year-month-day, for example 2026-03-04.", code="format"
        )
    year, month, day = (int(part) for part in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise forms.ValidationError(
            f"Enter a year between {MIN_YEAR} and {MAX_YEAR}.", code="year_range"
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise forms.ValidationError(
            "%(value)s is not a real date (check the month and day).",
            code="impossible",
            params={"value": text},
        ) from None


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        # Show what was typed (even if invalid) so the person can see and fix it.
        if isinstance(value, date):
            return value.isoformat()
        return None if value in (None, "") else str(value)


class OptionalDateField(forms.Field):
    """A date typed as ``YYYY-MM-DD`` (what ``<input type=date>`` submits), or nothing."""

    widget = DateInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"min": f"{MIN_YEAR}-01-01", "max": f"{MAX_YEAR}-12-31"})

    def to_python(self, value: Any) -> date | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 20:
            raise forms.ValidationError(
                "Enter the date as year-month-day, for example 2026-03-04.", code="format"
            )
        return parse_iso_date(text)


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
