"""The report's rows, read from the database in chunks, so memory does not grow with them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from compliance_hub.audits.exposure import premium, total
from compliance_hub.audits.models import Reconciliation, Status
from compliance_hub.certificates.models import Certificate
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
    "Currency",
    "Manual decision",
    "Amount not covered (USD)",
    "Estimated premium (USD, estimate)",
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
    "currency",
    "decision",
    "uncovered_amount",
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
    currency: str
    decision: str
    uncovered_amount: Decimal | None
    premium: Decimal | None = None

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
            self.currency,
            neutralise(self.decision),
            self.uncovered_amount,
            self.premium,
        )


EXCEPTIONS = (Status.NOT_COVERED, Status.PARTIAL, Status.AMBIGUOUS, Status.UNKNOWN)


def report_rows(
    reconciliation: Reconciliation, chunk: int = 2000, *, exceptions: bool = False
) -> Iterator[ReportRow]:
    """Every row of the reconciliation in file order, with its estimated premium; with
    ``exceptions``, only the rows not covered, partly covered, ambiguous or unknown, and
    those decided by hand."""
    rows = reconciliation.rows.order_by("line")
    if exceptions:
        rows = rows.filter(Q(status__in=EXCEPTIONS) | ~Q(decision=""))
    inputs = reconciliation.estimate_inputs
    for values in rows.values_list(*_FIELDS).iterator(chunk_size=chunk):
        row = ReportRow(*values)
        if inputs.ready and row.uncovered_amount is not None:
            row = replace(row, premium=premium(row.uncovered_amount, inputs))
        yield row


def exposure_total(reconciliation: Reconciliation) -> Decimal | None:
    """The estimated premium of the whole reconciliation (``None`` without a class rate)."""
    inputs = reconciliation.estimate_inputs
    if not inputs.ready:
        return None
    amounts = (
        reconciliation.rows.filter(uncovered_amount__isnull=False)
        .values_list("uncovered_amount", flat=True)
        .iterator(chunk_size=5000)
    )
    return total(amounts, inputs)


def estimate_lines(reconciliation: Reconciliation) -> list[tuple[str, str]]:
    """(label, value) lines describing the exposure estimate and its inputs."""
    inputs = reconciliation.estimate_inputs
    uncovered = reconciliation.totals.get("uncovered", "0.00")
    figure = exposure_total(reconciliation)
    lines = [
        ("Amount paid for days not covered (USD)", f"{Decimal(uncovered):,.2f}"),
        ("Share treated as payroll", f"{inputs.share.normalize():f}%"),
        (
            "Class rate per $100 of payroll",
            f"{inputs.rate.normalize():f}" if inputs.rate is not None else "not entered",
        ),
        (
            "Estimated premium (USD, an estimate)",
            f"{figure:,.2f}" if figure is not None else "enter a class rate to estimate",
        ),
    ]
    if reconciliation.estimate_set_by_label and reconciliation.estimate_set_at:
        lines.append(
            (
                "Inputs entered by",
                f"{reconciliation.estimate_set_by_label} on "
                f"{reconciliation.estimate_set_at:%Y-%m-%d %H:%M} UTC",
            )
        )
    return lines


def summary_lines(reconciliation: Reconciliation) -> list[tuple[str, int, str]]:
    """(status label, count, US-dollar amount) for each status, then duplicates, the total,
    the manual decisions among them, and each other currency apart."""
    of = reconciliation.total
    lines = [
        (status.label, of(status.value)["count"], of(status.value)["amount"]) for status in Status
    ]
    duplicate, every, manual = of("duplicate"), of("all"), of("manual")
    lines.append(("Duplicate rows (not counted above)", duplicate["count"], duplicate["amount"]))
    lines.append(("All payments", every["count"], every["amount"]))
    if manual["count"]:
        lines.append(("  of which manual decisions", manual["count"], manual["amount"]))
    for code, other in reconciliation.totals.get("currencies", {}).items():
        lines.append(
            (f"Amounts in {code} (not added above; in {code})", other["count"], other["amount"])
        )
    return lines


def basis_text(basis: str) -> str:
    return {
        "work": "the work date of each payment",
        "period": "the service period of each payment (every day in it)",
        "payment": "the payment date (the schedule has no work date)",
    }.get(basis, basis)


_CHUNK = 500


def relied_on(reconciliation: Reconciliation) -> list[int]:
    """Ids of the certificates cited by covered and partly covered rows, sorted."""
    ids: set[int] = set()
    rows = reconciliation.rows.filter(status__in=[Status.COVERED, Status.PARTIAL]).values_list(
        "certificates", flat=True
    )
    for certificates in rows.iterator(chunk_size=2000):
        ids.update(int(c["id"]) for c in certificates)
    return sorted(ids)


def certificates_of(ids: list[int]) -> Iterator[Certificate]:
    """The certificates, by number within each chunk of ids."""
    for i in range(0, len(ids), _CHUNK):
        yield from Certificate.objects.filter(id__in=ids[i : i + _CHUNK]).order_by("number")
