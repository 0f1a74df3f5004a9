"""The report's rows, read from the database in chunks, so memory does not grow with them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from compliance_hub.audits.models import Reconciliation, Status
from compliance_hub.core.text import spreadsheet_cell as neutralise

HEADERS = (
    "Row",
    "Status",
    "Contractor (as in file)",
    "E-mail (as in file)",
    "Contractor id (as in file)",
    "Matched contractor",
    "Matched by",
    "Work from",
    "Work to",
    "Payment date",
    "Amount",
    "Certificates",
    "Duplicate of row",
    "Explanation",
)
_FIELDS = (
    "line",
    "status",
    "given_name",
    "given_email",
    "given_contractor_id",
    "contractor_label",
    "matched_by",
    "work_from",
    "work_to",
    "payment_date",
    "amount",
    "certificates",
    "duplicate_of",
    "note",
)


@dataclass(frozen=True, slots=True)
class ReportRow:
    line: int
    status: str
    given_name: str
    given_email: str
    given_contractor_id: str
    contractor_label: str
    matched_by: str
    work_from: date | None
    work_to: date | None
    payment_date: date | None
    amount: Decimal | None
    certificates: list[dict[str, Any]]
    duplicate_of: int | None
    note: str

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def numbers(self) -> str:
        return "; ".join(c["number"] for c in self.certificates)

    def values(self) -> tuple[Any, ...]:
        """The row in ``HEADERS`` order: dates and amounts typed, text as spreadsheet cells
        (``core.text.spreadsheet_cell``)."""
        return (
            self.line,
            self.status_label,
            neutralise(self.given_name),
            neutralise(self.given_email),
            neutralise(self.given_contractor_id),
            neutralise(self.contractor_label),
            self.matched_by,
            self.work_from,
            self.work_to,
            self.payment_date,
            self.amount,
            self.numbers,
            self.duplicate_of,
            neutralise(self.note),
        )


def report_rows(reconciliation: Reconciliation, chunk: int = 2000) -> Iterator[ReportRow]:
    """Every row of the reconciliation in file order."""
    rows = reconciliation.rows.order_by("line").values_list(*_FIELDS)
    for values in rows.iterator(chunk_size=chunk):
        yield ReportRow(*values)


def summary_lines(reconciliation: Reconciliation) -> list[tuple[str, int, str]]:
    """(status label, count, amount) for each status, then duplicates and the total."""
    totals = reconciliation.totals
    lines = [
        (status.label, totals[status.value]["count"], totals[status.value]["amount"])
        for status in Status
    ]
    lines.append(
        (
            "Duplicate rows (not counted above)",
            totals["duplicate"]["count"],
            totals["duplicate"]["amount"],
        )
    )
    lines.append(("All payments", totals["all"]["count"], totals["all"]["amount"]))
    return lines


def basis_text(basis: str) -> str:
    return {
        "work": "the work date of each payment",
        "period": "the service period of each payment (every day in it)",
        "payment": "the payment date (the schedule has no work date)",
    }.get(basis, basis)
