"""The report as an XLSX workbook: a summary sheet and the rows (real dates and numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compliance_hub.audits.exposure import LABEL, SOURCE
from compliance_hub.audits.models import Reconciliation
from compliance_hub.audits.reports.rows import (
    HEADERS,
    basis_text,
    estimate_lines,
    report_rows,
    summary_lines,
)
from compliance_hub.certificates.exports.xlsx_export import (
    DAY,
    MONEY,
    NUMBER,
    TEXT,
    Column,
    add_table,
    workbook,
)
from compliance_hub.core.text import spreadsheet_cell as neutralise

COLUMNS = tuple(
    Column(title, width, kind)
    for title, width, kind in zip(
        HEADERS,
        (7, 15, 26, 26, 16, 26, 18, 12, 12, 12, 12, 30, 10, 70, 9, 40, 16, 16),
        (
            NUMBER,
            TEXT,
            TEXT,
            TEXT,
            TEXT,
            TEXT,
            TEXT,
            DAY,
            DAY,
            DAY,
            MONEY,
            TEXT,
            NUMBER,
            TEXT,
            TEXT,
            TEXT,
            MONEY,
            MONEY,
        ),
        strict=True,
    )
)


def write_xlsx(reconciliation: Reconciliation, path: Path) -> None:
    """Write the workbook to ``path`` (its rows spooled beside it while it is written)."""
    book = workbook(str(path), str(path.parent))
    _summary(book, reconciliation)
    add_table(book, "Rows", COLUMNS, (row.values() for row in report_rows(reconciliation)))
    book.close()


def _summary(book: Any, reconciliation: Reconciliation) -> None:
    sheet = book.add_worksheet("Summary")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 2, 16)
    facts = [
        ("Facility", reconciliation.facility.name),
        ("Reconciliation", str(reconciliation.pk)),
        ("Schedule file", reconciliation.file_name),
        ("Run at (UTC)", f"{reconciliation.created_at:%Y-%m-%d %H:%M}"),
        ("Run by", reconciliation.created_by_label),
        ("Dates checked", basis_text(reconciliation.date_basis)),
    ]
    row = 0
    sheet.write_string(row, 0, "Payment reconciliation", bold)
    row += 2
    for label, value in facts:
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, neutralise(value))
        row += 1
    row += 1
    sheet.write_string(row, 0, "Status", bold)
    sheet.write_string(row, 1, "Rows", bold)
    sheet.write_string(row, 2, "Amount", bold)
    for label, count, amount in summary_lines(reconciliation):
        row += 1
        sheet.write_string(row, 0, label)
        sheet.write_number(row, 1, count)
        sheet.write_number(row, 2, float(amount), money)
    row += 2
    sheet.write_string(row, 0, f"Exposure estimate ({LABEL.lower()})", bold)
    for label, value in estimate_lines(reconciliation):
        row += 1
        sheet.write_string(row, 0, label)
        sheet.write_string(row, 1, neutralise(value))
    row += 1
    sheet.write_string(row, 0, SOURCE)
