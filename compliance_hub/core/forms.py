"""Form fields every area uses: dates typed as year-month-day, every mistake explained."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from compliance_hub.core.pagination import MAX_ID

MIN_YEAR = 1900
MAX_YEAR = 2199
_ISO_DATE = re.compile(r"^(\d{1,6})-(\d{1,2})-(\d{1,2})$")


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


def _is_id(value: Any) -> bool:
    """A value a primary key column can hold: digits only, 1 … ``MAX_ID``. Beyond that range
    SQLite refuses the parameter itself (OverflowError) rather than finding no row."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return False  # long digit strings are refused before int(), which caps their length
    return 0 < int(text) <= MAX_ID


class IdChoiceField(forms.ModelChoiceField):
    """``ModelChoiceField`` whose out-of-range ids are an invalid choice, not a database error."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _is_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """``ModelMultipleChoiceField`` whose out-of-range ids are an invalid choice."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for pk in value:
                if not _is_id(pk):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)
