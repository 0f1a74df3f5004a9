"""The table read with a column mapping: one payment row per line, or the reasons it can't be."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from compliance_hub.audits.columns import DATE_FIELDS, LABELS, Mapping, date_basis
from compliance_hub.audits.parsing.table import Table
from compliance_hub.audits.parsing.values import (
    EXCEL_1900,
    EXCEL_1904,
    DateOrder,
    ValueProblem,
    amount_currency,
    detect_order,
    parse_amount,
    parse_date,
)
from compliance_hub.audits.parsing.xlsx import SERIAL_1904_NOTE
from compliance_hub.certificates.names import fold

FORMULA_PREFIXES = ("=",)
# A cell that marks a total row: "Total", "Subtotal", "Grand total:", "Total for March", "Sum".
_TOTAL = re.compile(r"^(?:sub[\s-]?totals?|grand\s+totals?|totals?|sum)\b", re.IGNORECASE)
SHOWN_SKIPPED = 5
_fold = lru_cache(maxsize=65_536)(fold)


@dataclass(slots=True)
class PaymentRow:
    """One payment as the hub understood it. ``errors`` non-empty means unreadable."""

    line: int
    name: str = ""
    email: str = ""
    contractor_id: str = ""
    start: date | None = None
    end: date | None = None
    payment_date: date | None = None
    amount: Decimal | None = None
    errors: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    currency: str = ""  # as written with the amount ("" when no currency is written)

    @property
    def valid(self) -> bool:
        return not self.errors

    def key(self) -> tuple[object, ...]:
        """What makes two rows the same payment (for duplicate detection)."""
        return (
            _fold(self.name),
            self.email.casefold(),
            self.contractor_id.casefold(),
            self.start,
            self.end,
            self.payment_date,
            self.amount,
            self.currency or "USD",  # amounts without a currency are taken as dollars
        )


@dataclass
class Schedule:
    """All rows, read with one mapping, and what the person should know about the reading."""

    rows: list[PaymentRow]
    basis: str
    notes: list[str]
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why) not payments

    @property
    def invalid(self) -> list[PaymentRow]:
        return [r for r in self.rows if not r.valid]

    @property
    def duplicates(self) -> list[PaymentRow]:
        return [r for r in self.rows if r.duplicate_of is not None]


def _is_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES) and len(text) > 1


def read_schedule_rows(table: Table, mapping: Mapping) -> Schedule:
    """Read every row of ``table`` with ``mapping`` (which must pass ``check_mapping``)."""
    epoch = EXCEL_1904 if SERIAL_1904_NOTE in table.notes else EXCEL_1900
    orders: dict[str, DateOrder] = {}
    notes: list[str] = []
    for key in DATE_FIELDS:
        column = mapping.get(key)
        if column is None:
            continue
        order = detect_order((line, table.cell(cells, column)) for line, cells in table.rows)
        orders[key] = order
        if order.numeric_seen:
            notes.append(order.describe(table.header[column] or LABELS[key]))
    basis = date_basis(mapping)
    if basis == "payment":
        notes.append(PAYMENT_BASIS_NOTE)
    rows: list[PaymentRow] = []
    skipped: list[tuple[int, str]] = []
    header = [h.strip().casefold() for h in table.header]
    who = [c for c in (mapping.get(k) for k in WHO_FIELDS) if c is not None]
    for line, cells in table.rows:
        why = _not_a_payment(table, header, cells, mapping, who)
        if why:
            skipped.append((line, why))
        else:
            rows.append(_read_row(table, line, cells, mapping, orders, epoch, basis))
    _flag_duplicates(rows)
    notes += _skipped_notes(skipped)
    notes += _currency_notes(rows)
    return Schedule(rows=rows, basis=basis, notes=notes, skipped=skipped)


PAYMENT_BASIS_NOTE = (
    "There is no work date or service period, so work dates are assumed to be the pay date: "
    "each payment date is checked as the day of work."
)
TOTAL_ROW = "a total or subtotal row"
WHO_FIELDS = ("name", "first_name", "last_name", "email", "contractor_id")
HEADER_ROW = "a repeated header row"


def _not_a_payment(
    table: Table, header: list[str], cells: list[str], mapping: Mapping, who: list[int]
) -> str:
    """Why the row is not a payment (a total/subtotal or a repeated header), else ``""``.

    Most rows have a contractor written in a mapped column that is not a total word: they
    are answered after looking at that cell alone."""
    probe = who[0] if who else None
    if probe is not None and probe < len(cells):
        text = cells[probe].strip()
        if (
            text
            and not _TOTAL.match(text)
            and (probe >= len(header) or header[probe] != text.casefold())
        ):
            return ""  # the common case: a contractor, written in the first identity column
    written = [c for c in (table.cell(cells, c) for c in who) if c]
    if (
        probe is not None
        and probe < len(header)
        and header[probe]
        and table.cell(cells, probe).casefold() == header[probe]
    ):
        filled = [(i, c.strip()) for i, c in enumerate(cells) if c.strip()]
        same = sum(1 for i, c in filled if i < len(header) and header[i] == c.casefold())
        if same >= 2 and same * 2 >= len(filled):
            return HEADER_ROW
    if written:
        return TOTAL_ROW if any(_TOTAL.match(c) for c in written) else ""
    first_text = next((c.strip() for c in cells if c.strip() and not _looks_numeric(c)), "")
    if first_text and _TOTAL.match(first_text):
        return TOTAL_ROW
    dates = [mapping.get(k) for k in DATE_FIELDS]
    amount = mapping.get("amount")
    if (
        amount is not None
        and table.cell(cells, amount)
        and not any(table.cell(cells, c) for c in dates if c is not None)
    ):
        return TOTAL_ROW  # only an amount: the sum of the rows above
    return ""


def _looks_numeric(text: str) -> bool:
    return not any(ch.isalpha() for ch in text.replace("$", "").replace("€", ""))


def _skipped_notes(skipped: list[tuple[int, str]]) -> list[str]:
    notes = []
    for kind in (TOTAL_ROW, HEADER_ROW):
        lines = [line for line, why in skipped if why == kind]
        if len(lines) == 1:
            notes.append(f"Row {lines[0]} is {kind} and not counted as a payment.")
        elif lines:
            shown = ", ".join(str(n) for n in lines[:SHOWN_SKIPPED])
            more = f" and {len(lines) - SHOWN_SKIPPED} more" if len(lines) > SHOWN_SKIPPED else ""
            notes.append(
                f"{len(lines)} rows (rows {shown}{more}) are each {kind} and are not counted "
                "as payments."
            )
    return notes


def _currency_notes(rows: list[PaymentRow]) -> list[str]:
    seen = Counter(r.currency for r in rows if r.valid and r.amount is not None)
    others = {code: n for code, n in seen.items() if code not in ("", "USD")}
    if not others:
        return []
    listed = ", ".join(
        f"{code}: {n} row{'s' if n > 1 else ''}" for code, n in sorted(others.items())
    )
    return [
        f"Amounts are not all in US dollars ({listed}). Only US-dollar amounts (and amounts "
        "written without a currency, taken as US dollars) are added up and used in the "
        "exposure estimate; the others are totalled per currency and flagged on their rows."
    ]


def _read_row(
    table: Table,
    line: int,
    cells: list[str],
    mapping: Mapping,
    orders: dict[str, DateOrder],
    epoch: date,
    basis: str,
) -> PaymentRow:
    row = PaymentRow(line=line)
    values = {
        key: table.cell(cells, column) for key, column in mapping.items() if column is not None
    }
    if "name" in values:
        row.name = values["name"]
    else:
        row.name = " ".join(
            p for p in (values.get("first_name", ""), values.get("last_name", "")) if p
        )
    row.email = values.get("email", "")
    row.contractor_id = values.get("contractor_id", "")
    for key, value in values.items():
        if _is_formula(value):
            row.errors.append(
                f"{LABELS[key]} holds a spreadsheet formula (“{value[:40]}”), not a value. "
                "Save the file from Excel so the results are stored, or export the values."
            )
    if row.errors:
        return row
    if not (row.name or row.email or row.contractor_id):
        row.errors.append("No contractor: the name is empty.")
    dates: dict[str, date | None] = {}
    for key in DATE_FIELDS:
        if key not in values:
            continue
        text = values[key]
        if not text:
            dates[key] = None
            continue
        try:
            dates[key] = parse_date(text, orders[key].order, epoch)
        except ValueProblem as exc:
            row.errors.append(f"{LABELS[key]}: {exc}.")
            dates[key] = None
    row.payment_date = dates.get("payment_date")
    _set_period(row, basis, dates, values)
    if "amount" in values:
        try:
            row.amount = parse_amount(values["amount"])
            row.currency = amount_currency(values["amount"])
            if row.currency == "?":
                row.errors.append("Amount: it names two different currencies.")
        except ValueProblem as exc:
            row.errors.append(f"Amount: {exc}.")
    return row


def _set_period(
    row: PaymentRow, basis: str, dates: dict[str, date | None], values: dict[str, str]
) -> None:
    """Set the days of work to check. An empty "to" makes a one-day period."""
    first_key, last_key = {
        "work": ("work_date", "work_date"),
        "period": ("period_from", "period_to"),
        "payment": ("payment_date", "payment_date"),
    }[basis]
    start, end = dates.get(first_key), dates.get(last_key)
    if not values.get(first_key):
        row.errors.append(f"{LABELS[first_key]} is empty.")
        return
    if basis == "period" and not values.get(last_key):
        end = start
    if start is None or end is None:
        return  # the unreadable date is already reported
    if end < start:
        row.errors.append(
            f"The service period ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})."
        )
        return
    row.start, row.end = start, end


def _flag_duplicates(rows: list[PaymentRow]) -> None:
    first_seen: dict[tuple[object, ...], int] = {}
    for row in rows:
        if not row.valid:
            continue
        key = row.key()
        if key in first_seen:
            row.duplicate_of = first_seen[key]
        else:
            first_seen[key] = row.line
