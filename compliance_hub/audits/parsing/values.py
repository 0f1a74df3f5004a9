"""Reading dates and amounts the way people and spreadsheets write them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


class ValueProblem(ValueError):
    """A cell that cannot be read; ``str(exc)`` says why, for the person."""


_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?:[ T].*)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_DAY_MONTH = re.compile(
    r"^(?:[a-z]+\.?,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([a-z]+)\.?,?[\s\-/.,]+(\d{4}|\d{2})$"
)
_MONTH_DAY = re.compile(
    r"^(?:[a-z]+\.?,?\s+)?([a-z]+)\.?[\s\-/.]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.,]+(\d{4}|\d{2})$"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
EXCEL_1900 = date(1899, 12, 30)
EXCEL_1904 = date(1904, 1, 1)
MDY, DMY = "mdy", "dmy"
EXAMPLES = "for example 2026-03-05, 03/05/2026 or 5 Mar 2026"


@dataclass(frozen=True)
class DateOrder:
    """How one column's ``a/b/yyyy`` dates are read, and the evidence for it."""

    order: str  # MDY or DMY
    evidence_line: int | None  # the row that settles it, if any
    evidence_text: str
    conflict: bool  # rows in the column contradict each other
    numeric_seen: bool

    def describe(self, column: str) -> str:
        reading = "month/day/year" if self.order == MDY else "day/month/year"
        if self.evidence_line is not None:
            return (
                f"Dates in “{column}” are read as {reading} "
                f"(row {self.evidence_line} has “{self.evidence_text}”)."
            )
        fallback = "US" if self.order == MDY else "dotted dates are day first"
        return f"Dates in “{column}” are read as {reading} ({fallback}; no row shows otherwise)."


def detect_order(values: Iterable[tuple[int, str]]) -> DateOrder:
    """Decide day/month order for a column from its ``a/b/yyyy`` values.

    A first number above 12 means day first; a second above 12 means month first.
    Without such evidence, dotted dates (05.03.2026) are day first and slashed or
    dashed ones (03/05/2026) month first.
    """
    day_first: tuple[int, str] | None = None
    month_first: tuple[int, str] | None = None
    dots = others = 0
    for line, text in values:
        match = _NUMERIC.match(text)
        if not match:
            continue
        a, b = int(match.group(1)), int(match.group(3))
        if match.group(2) == ".":
            dots += 1
        else:
            others += 1
        if a > 12 >= b and day_first is None:
            day_first = (line, text)
        elif b > 12 >= a and month_first is None:
            month_first = (line, text)
    seen = bool(dots or others)
    if day_first and month_first:
        first = min(day_first, month_first)
        order = DMY if first is day_first else MDY
        return DateOrder(order, first[0], first[1], True, seen)
    if day_first:
        return DateOrder(DMY, day_first[0], day_first[1], False, seen)
    if month_first:
        return DateOrder(MDY, month_first[0], month_first[1], False, seen)
    return DateOrder(DMY if dots > others else MDY, None, "", False, seen)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _make(year: int, month: int, day: int, text: str) -> date:
    if not 1900 <= year <= 2199:
        raise ValueProblem(f"“{text}” has an unlikely year ({year})")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"“{text}” is not a real date") from None


def parse_date(text: str, order: str = MDY, epoch: date = EXCEL_1900) -> date:
    """Read a date written as ISO, a/b/yyyy (``order``), d.m.yyyy, 5 Mar 2026, Mar 5, 2026,
    20260305 or an Excel serial number. Raise :class:`ValueProblem` if it is none of those."""
    value = text.strip()
    if match := _ISO.match(value):
        return _make(int(match.group(1)), int(match.group(3)), int(match.group(4)), value)
    if match := _NUMERIC.match(value):
        a, b = int(match.group(1)), int(match.group(3))
        month, day = (a, b) if order == MDY else (b, a)
        if month > 12 and day <= 12:
            raise ValueProblem(
                f"“{value}” does not fit the "
                f"{'month/day' if order == MDY else 'day/month'} order of the other dates "
                "in this column"
            )
        return _make(_year(match.group(4)), month, day, value)
    if match := _COMPACT.match(value):
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)), value)
    if _SERIAL.match(value):
        serial = float(value)
        if 20_000 <= serial <= 120_000:
            return epoch + timedelta(days=int(serial))
    lowered = value.lower()
    if match := _DAY_MONTH.match(lowered):
        month_number = _MONTHS.get(match.group(2))
        if month_number:
            return _make(_year(match.group(3)), month_number, int(match.group(1)), value)
    if match := _MONTH_DAY.match(lowered):
        month_number = _MONTHS.get(match.group(1))
        if month_number:
            return _make(_year(match.group(3)), month_number, int(match.group(2)), value)
    raise ValueProblem(f"“{value}” is not a date the hub understands ({EXAMPLES})")


_CURRENCY = re.compile(r"(?i)(us\$|usd|eur|gbp|cad|aud|[$€£¥])")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_GROUPED = {",": re.compile(r"^\d{1,3}(,\d{3})+$"), ".": re.compile(r"^\d{1,3}(\.\d{3})+$")}
_PLAIN = re.compile(r"^\d*(?:[.,]\d*)?$")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000000")


def parse_amount(text: str) -> Decimal | None:
    """Read an amount such as ``$1,234.50``, ``(12.00)``, ``-12``, ``1.234,50 €`` or ``12,5``.

    Blank is ``None``. A lone comma before three digits (``1,234``) groups thousands; any
    other lone comma is a decimal comma. The result is rounded to cents.
    """
    value = text.strip()
    if not value:
        return None
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    value = _SPACES.sub("", _CURRENCY.sub("", value)).replace("\u2212", "-")
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    elif value.endswith("-"):
        negative, value = not negative, value[:-1]
    elif value.startswith("+"):
        value = value[1:]
    number = _normalise_separators(value, text)
    try:
        amount = Decimal(number).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueProblem(f"“{text.strip()}” is not an amount") from None
    if abs(amount) >= MAX_AMOUNT:
        raise ValueProblem(f"“{text.strip()}” is too large for an amount")
    return -amount if negative else amount


_CURRENCY_CODES = {
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "eur": "EUR",
    "€": "EUR",
    "gbp": "GBP",
    "£": "GBP",
    "cad": "CAD",
    "aud": "AUD",
    "¥": "JPY",
}


def amount_currency(text: str) -> str:
    """The currency written with an amount (``"USD"``, ``"EUR"``…), ``""`` when none is;
    ``"?"`` when the cell names two different ones. A bare ``$`` is taken as US dollars."""
    found = {_CURRENCY_CODES[m.casefold()] for m in _CURRENCY.findall(text)}
    if not found:
        return ""
    return found.pop() if len(found) == 1 else "?"


def _normalise_separators(value: str, original: str) -> str:
    """``value`` with thousands separators removed and a ``.`` decimal point."""
    problem = ValueProblem(f"“{original.strip()}” is not an amount")
    if not value or not re.fullmatch(r"[\d.,]+", value) or not re.search(r"\d", value):
        raise problem
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = value.rpartition(decimal_mark)
        if decimal_mark in whole or not _GROUPED[group_mark].match(whole) or "," in fraction:
            raise problem
        return whole.replace(group_mark, "") + "." + fraction
    for mark in (",", "."):
        if value.count(mark) > 1 or (mark == "," and _GROUPED[","].match(value)):
            if not _GROUPED[mark].match(value):
                raise problem
            return value.replace(mark, "")
    if not _PLAIN.match(value):
        raise problem
    return value.replace(",", ".")
