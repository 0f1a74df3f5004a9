"""The report as an XLSX workbook: a summary sheet and the rows (real dates and numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from compliance_hub.audits.models import Reconciliation
from compliance_hub.audits.reports.rows import (
    HEADERS,
    basis_text,
    neutralise,
    report_rows,
    summary_lines,
)

_WIDTHS = (7, 15, 26, 26, 16, 26, 18, 12, 12, 12, 12, 30, 10, 70)
_DATE_COLUMNS = {7, 8, 9}
_AMOUNT_COLUMN = 10


def write_xlsx(reconciliation: Reconciliation, path: Path) -> None:
    """Write the workbook to ``path`` (xlsxwriter's constant-memory mode: rows go to disk)."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "tmpdir": str(path.parent), "strings_to_formulas": False},
    )
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    _summary(workbook, reconciliation, bold, money)
    sheet = workbook.add_worksheet("Rows")
    for column, width in enumerate(_WIDTHS):
        sheet.set_column(column, column, width)
    for column, header in enumerate(HEADERS):
        sheet.write_string(0, column, header, bold)
    sheet.freeze_panes(1, 0)
    last = 0
    for index, row in enumerate(report_rows(reconciliation), start=1):
        last = index
        for column, value in enumerate(row.values()):
            if value is None or value == "":
                continue
            if column in _DATE_COLUMNS:
                sheet.write_datetime(index, column, value, day)
            elif column == _AMOUNT_COLUMN:
                sheet.write_number(index, column, float(value), money)
            elif isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value))
    sheet.autofilter(0, 0, max(last, 1), len(HEADERS) - 1)
    workbook.close()


def _summary(workbook: Any, reconciliation: Reconciliation, bold: Any, money: Any) -> None:
    sheet = workbook.add_worksheet("Summary")
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
