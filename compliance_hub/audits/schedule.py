"""The table read with a column mapping: one payment row per line, or the reasons it can't be."""

from __future__ import annotations

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
    detect_order,
    parse_amount,
    parse_date,
)
from compliance_hub.audits.parsing.xlsx import SERIAL_1904_NOTE
from compliance_hub.certificates.names import fold

FORMULA_PREFIXES = ("=",)
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
        )


@dataclass
class Schedule:
    """All rows, read with one mapping, and what the person should know about the reading."""

    rows: list[PaymentRow]
    basis: str
    notes: list[str]

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
        notes.append(
            "There is no work date or service period, so each payment date is checked as "
            "the day of work."
        )
    rows = [
        _read_row(table, line, cells, mapping, orders, epoch, basis) for line, cells in table.rows
    ]
    _flag_duplicates(rows)
    return Schedule(rows=rows, basis=basis, notes=notes)


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
