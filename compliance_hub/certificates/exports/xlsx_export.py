"""The table as an XLSX workbook, written in constant memory.

xlsxwriter's ``constant_memory`` mode flushes each row to a temporary file as soon as the
next one starts, so memory does not grow with the number of rows; the workbook is written
to ``target`` (a temporary file the view then streams). Dates are real date cells,
``Issued at`` a date-time cell (UTC); the header row is bold and frozen, with an autofilter.
Every text cell is written as a string (never a formula), neutralised like the CSV's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import xlsxwriter

from compliance_hub.certificates.exports.rows import HEADERS, ExportRow
from compliance_hub.certificates.exports.safe import neutralise

SHEET = "Certificates"
WIDTHS = (28, 13, 13, 40, 17, 14, 18, 24, 60)
MAX_ROWS = 1_048_575  # Excel's limit, below the header


class TooManyRows(ValueError):
    """More rows than one Excel worksheet holds."""


def write_xlsx(
    rows: Iterable[ExportRow], target: IO[bytes], *, title: str = "", subject: str = ""
) -> int:
    """Write the workbook to ``target``; return the number of data rows."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        workbook.set_properties(
            {"title": title, "subject": subject, "author": "Compliance Hub", "comments": subject}
        )
        sheet = workbook.add_worksheet(SHEET)
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for column, width in enumerate(WIDTHS):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        for column, header in enumerate(HEADERS):
            sheet.write_string(0, column, header, bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            if count > MAX_ROWS:
                raise TooManyRows(f"An Excel worksheet holds at most {MAX_ROWS:,} rows.")
            sheet.write_string(count, 0, neutralise(row.contractor))
            sheet.write_datetime(count, 1, row.effective, day)
            sheet.write_datetime(count, 2, row.end, day)
            sheet.write_string(count, 3, neutralise(row.description))
            sheet.write_string(count, 4, neutralise(row.number))
            sheet.write_string(count, 5, row.status)
            if row.issued_at is not None:
                sheet.write_datetime(
                    count, 6, row.issued_at.replace(tzinfo=None, microsecond=0), moment
                )
            sheet.write_string(count, 7, row.sha256)
            sheet.write_string(count, 8, row.link)
        sheet.autofilter(0, 0, count, len(HEADERS) - 1)
    finally:
        workbook.close()
    return count
