"""The activity log's filters: what happened, who, between which days. Bad input is explained."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone

from compliance_hub.activity.kinds import verb_choices
from compliance_hub.core.forms import OptionalDateField

PERSON_MAX_LENGTH = 254


class ActivityFilterForm(forms.Form):
    """Bound to the query string; an invalid field is reported and left out, never fatal."""

    verb = forms.ChoiceField(
        label="What",
        required=False,
        error_messages={"invalid_choice": "Choose one of the listed kinds of activity."},
    )
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=PERSON_MAX_LENGTH,
        strip=True,
        help_text="An e-mail address or part of it: who acted or whom it concerned.",
        error_messages={"max_length": f"Type at most {PERSON_MAX_LENGTH} characters."},
    )
    date_from = OptionalDateField(label="From")
    date_to = OptionalDateField(label="To")
    facility = forms.TypedChoiceField(
        label="Facility",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of your facilities."},
    )

    def __init__(
        self,
        *args: Any,
        verbs: list[str],
        facilities: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["verb"].choices = [("", "Everything"), *verb_choices(verbs)]  # type: ignore[attr-defined]
        if facilities is None:
            del self.fields["facility"]
        else:
            self.fields["facility"].choices = [  # type: ignore[attr-defined]
                ("", "All facilities"),
                *[(str(pk), name) for pk, name in facilities],
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", f"The “to” date {end.isoformat()} is before the “from” date.")
            data.pop("date_to", None)
        return data


@dataclass(frozen=True)
class ActivityFilters:
    """The valid filters of one request (invalid ones already dropped)."""

    verb: str = ""
    person: str = ""
    date_from: date | None = None
    date_to: date | None = None
    facility: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @property
    def is_filtered(self) -> bool:
        return bool(self.verb or self.person or self.date_from or self.date_to or self.facility)

    def as_params(self) -> dict[str, str]:
        params = {
            "verb": self.verb,
            "person": self.person,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "facility": str(self.facility) if self.facility else "",
        }
        return {k: v for k, v in params.items() if v}

    def as_querystring(self) -> str:
        return urlencode(self.as_params())

    def window(self) -> tuple[datetime | None, datetime | None]:
        """``[start, end)`` in the hub's time zone: whole days, both ends included."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.date_from, time.min, tz) if self.date_from else None
        end = (
            datetime.combine(self.date_to + timedelta(days=1), time.min, tz)
            if self.date_to
            else None
        )
        return start, end


def parse_filters(
    query: QueryDict,
    *,
    verbs: list[str],
    facilities: list[tuple[int, str]] | None = None,
) -> tuple[ActivityFilters, ActivityFilterForm]:
    """The valid filters in ``query`` and the bound form (which carries the messages)."""
    form = ActivityFilterForm(query, verbs=verbs, facilities=facilities)
    form.is_valid()
    data = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    filters = ActivityFilters(
        verb=data.get("verb") or "",
        person=data.get("person") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        facility=data.get("facility"),
        errors={name: [str(e) for e in errs] for name, errs in form.errors.items()},
    )
    return filters, form
