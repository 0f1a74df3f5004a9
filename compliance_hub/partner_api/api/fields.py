"""Field types for API input: trimmed text without control characters, ISO dates, ids."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

from compliance_hub.core.text import BIDI_MESSAGE, has_bidi_controls
from compliance_hub.facilities.models import EXTERNAL_ID_PATTERN, external_id_validator

_EXTERNAL_ID = re.compile(EXTERNAL_ID_PATTERN)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})"
)
# Control characters and lone surrogates (which no database can store).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\r\n\t]")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
        raise ValueError(
            "Use an ISO date-time with a time zone, e.g. 2026-03-01T00:00:00Z "
            "(in a URL, write + as %2B)."
        )
    return value


def _to_utc(value: datetime) -> datetime:
    """UTC, which every database can store (PostgreSQL refuses offsets beyond ±15:59)."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("Use a date-time between the years 1 and 9999.") from None


def _no_bidi(value: str) -> str:
    """Every text field: no bidirectional controls (``core.text``; the models refuse them too)."""
    if has_bidi_controls(value):
        raise ValueError(BIDI_MESSAGE)
    return value


def _single_line(value: str) -> str:
    if _CONTROL.search(value) or _LINE_BREAK.search(value):
        raise ValueError("Use text on one line, without control characters.")
    return _no_bidi(value)


def _multi_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("Remove control characters from this text.")
    return _no_bidi(value)


def _external_id(value: str) -> str:
    if not is_external_id(value):
        raise ValueError(external_id_validator.message)
    return value


def _email(value: str) -> str:
    if value == "":
        return value
    if _CONTROL.search(_no_bidi(value)):
        raise ValueError("Enter an e-mail address like name@example.com.")
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError("Enter an e-mail address like name@example.com.") from None
    return value.strip()


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Use an ISO date: YYYY-MM-DD.")
    return value


# One line of text, trimmed, at most N characters (Required...: at least one).
_ONE_LINE = AfterValidator(_single_line)
Line20 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), _ONE_LINE]
Line100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), _ONE_LINE]
Line200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), _ONE_LINE]
RequiredLine100 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), _ONE_LINE
]
RequiredLine200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _ONE_LINE
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    AfterValidator(_multi_line),
]
ExternalId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(_external_id),
    Field(
        json_schema_extra={"pattern": EXTERNAL_ID_PATTERN},
        description="Your own id: 1-100 letters, digits, '.', '_', ':' or '-'.",
    ),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email"}),
]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime), AfterValidator(_to_utc)]
CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    Field(description="ISO 3166-1 alpha-2 country code, e.g. US."),
]


def is_external_id(value: str) -> bool:
    """True if ``value`` could be an external id (anything else cannot exist: 404 at once)."""
    return _EXTERNAL_ID.fullmatch(value) is not None
