"""Which column of the schedule holds what: the fields, guessing them from headers, checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compliance_hub.certificates.names import fold


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    help: str


FIELDS = (
    Field("name", "Contractor name", "Full name, “First Last” or “Last, First”."),
    Field("first_name", "First name", "Only if first and last names are separate columns."),
    Field("last_name", "Last name", "Only if first and last names are separate columns."),
    Field("email", "Contractor e-mail", "Optional. When given, it decides who the person is."),
    Field(
        "contractor_id",
        "Contractor id",
        "Optional: the staffing partner's id for the contractor. Decides who the person is.",
    ),
    Field("work_date", "Work date", "The day the work was done."),
    Field("period_from", "Service period from", "First day of the work paid for."),
    Field("period_to", "Service period to", "Last day of the work paid for (inclusive)."),
    Field(
        "payment_date",
        "Payment date",
        "Used as the day of work only when there is no work date or period.",
    ),
    Field("amount", "Amount", "Optional. Totals are shown by status."),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
LABELS = {f.key: f.label for f in FIELDS}
DATE_FIELDS = ("work_date", "period_from", "period_to", "payment_date")

Mapping = dict[str, int | None]

# Exact header names (folded) per field, best first.
_EXACT: dict[str, tuple[str, ...]] = {
    "name": (
        "contractor name",
        "contractor",
        "worker name",
        "worker",
        "payee name",
        "payee",
        "name",
        "full name",
        "vendor name",
        "vendor",
        "employee name",
        "employee",
        "provider name",
        "provider",
        "staff name",
        "professional",
        "talent",
        "paid to",
        "pay to",
        "recipient",
    ),
    "first_name": ("first name", "firstname", "first", "given name", "forename", "fname"),
    "last_name": ("last name", "lastname", "last", "surname", "family name", "lname"),
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "contractor email",
        "worker email",
        "mail",
    ),
    "contractor_id": (
        "contractor id",
        "worker id",
        "external id",
        "contractor external id",
        "payee id",
        "vendor id",
        "employee id",
        "contractor number",
        "contractor no",
        "worker number",
        "id",
    ),
    "work_date": (
        "work date",
        "date of work",
        "date worked",
        "worked on",
        "shift date",
        "service date",
        "date of service",
        "work day",
        "date",
        "day",
    ),
    "period_from": (
        "from",
        "start",
        "start date",
        "period start",
        "period from",
        "service from",
        "service start",
        "work from",
        "begin",
        "begin date",
    ),
    "period_to": (
        "to",
        "end",
        "end date",
        "period end",
        "period to",
        "service to",
        "service end",
        "work to",
        "through",
        "thru",
        "until",
    ),
    "payment_date": (
        "payment date",
        "paid on",
        "date paid",
        "paid date",
        "pay date",
        "check date",
        "transaction date",
        "payment",
    ),
    "amount": (
        "amount",
        "amount paid",
        "payment amount",
        "paid amount",
        "paid",
        "total",
        "gross",
        "gross pay",
        "net",
        "net pay",
        "pay",
        "fee",
        "sum",
    ),
}

# Words that, inside a longer header, point at a field.
_CONTAINS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("payment_date", ("pay date", "payment date", "paid on", "date paid")),
    ("email", ("email", "e mail")),
    ("first_name", ("first name", "given name")),
    ("last_name", ("last name", "surname", "family name")),
    ("contractor_id", ("contractor id", "worker id", "external id", "payee id")),
    ("period_from", ("period start", "period from", "service from", "start date", "from date")),
    ("period_to", ("period end", "period to", "service to", "end date", "to date")),
    ("work_date", ("work date", "shift date", "service date", "date of service", "date worked")),
    ("amount", ("amount", "gross", "total")),
    ("name", ("name", "contractor", "worker", "payee")),
)
_SEP = re.compile(r"[_\-/.:#()\[\]]+")


def _normalise(header: str) -> str:
    return fold(_SEP.sub(" ", header))


def guess_mapping(header: list[str]) -> Mapping:
    """Guess each field's column from the header texts (exact names first, then words)."""
    scored: list[tuple[int, int, int, str]] = []
    for column, text in enumerate(header):
        norm = _normalise(text)
        if not norm:
            continue
        for key in FIELD_KEYS:
            if norm in _EXACT[key]:
                rank = _EXACT[key].index(norm)
                scored.append((3, -rank, -column, key))
        for key, words in _CONTAINS:
            if any(f" {w} " in f" {norm} " for w in words):
                scored.append((1, 0, -column, key))
    scored.sort(reverse=True)
    mapping: Mapping = dict.fromkeys(FIELD_KEYS)
    used: set[int] = set()
    for _score, _rank, neg_column, key in scored:
        column = -neg_column
        if mapping[key] is None and column not in used:
            mapping[key] = column
            used.add(column)
    return _lone_date(_tidy(mapping), header)


GENERIC_DATES = ("date", "day")


def _lone_date(mapping: Mapping, header: list[str]) -> Mapping:
    """A lone generic "Date" column (no other date column) is taken as the payment date:
    a schedule of payments dates its payments. The work is then assumed done on that day."""
    column = mapping["work_date"]
    others = (mapping["period_from"], mapping["period_to"], mapping["payment_date"])
    lone = column is not None and all(o is None for o in others)
    if lone and column is not None and _normalise(header[column]) in GENERIC_DATES:
        mapping["work_date"], mapping["payment_date"] = None, column
    return mapping


def _tidy(mapping: Mapping) -> Mapping:
    """Drop guesses that contradict each other, so the guess is always a valid mapping."""
    names = (mapping["first_name"], mapping["last_name"])
    if None in names or mapping["name"] is not None:
        mapping["first_name"] = mapping["last_name"] = None
    period = (mapping["period_from"], mapping["period_to"])
    if None in period or mapping["work_date"] is not None:
        mapping["period_from"] = mapping["period_to"] = None
    return mapping


def check_mapping(mapping: Mapping) -> dict[str | None, str]:
    """Problems with a mapping, by field key (``None`` for the mapping as a whole)."""
    errors: dict[str | None, str] = {}
    seen: dict[int, str] = {}
    for key in FIELD_KEYS:
        column = mapping.get(key)
        if column is None:
            continue
        if column in seen:
            errors[key] = f"This column is already used for “{LABELS[seen[column]]}”."
        else:
            seen[column] = key
    has = {key for key in FIELD_KEYS if mapping.get(key) is not None}
    if "name" in has and has & {"first_name", "last_name"}:
        errors["name"] = "Choose either a full-name column or first- and last-name columns."
    elif ("first_name" in has) != ("last_name" in has):
        missing = "last_name" if "first_name" in has else "first_name"
        errors[missing] = "Choose both the first-name and the last-name column."
    if not has & {"name", "first_name", "email", "contractor_id"}:
        errors["name"] = (
            "Choose the column with the contractor's name (or e-mail, or contractor id)."
        )
    if "work_date" in has and has & {"period_from", "period_to"}:
        errors["work_date"] = "Choose either a work date or a service period, not both."
    elif ("period_from" in has) != ("period_to" in has):
        missing = "period_to" if "period_from" in has else "period_from"
        errors[missing] = "A service period needs both its first and its last day."
    if not has & {"work_date", "period_from", "payment_date"}:
        errors["work_date"] = (
            "Choose the column with the work date (or the service period, or the payment date)."
        )
    return errors


def date_basis(mapping: Mapping) -> str:
    """Which date is checked against certificates: ``work``, ``period`` or ``payment``."""
    if mapping.get("work_date") is not None:
        return "work"
    if mapping.get("period_from") is not None:
        return "period"
    return "payment"


def column_label(header: list[str], column: int) -> str:
    """``"C: Amount paid"``: the spreadsheet letter and the header text."""
    return f"{column_letter(column)}: {header[column] or '(no header)'}"


def column_letter(column: int) -> str:
    letters = ""
    number = column + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
