"""Tables as XLSX workbooks: xlsxwriter in constant-memory mode, one way for every workbook.

``add_table`` writes one worksheet: a bold, frozen header row with an autofilter and column
widths, then each row, every cell by its column's kind: dates and times as real date cells,
numbers as numbers, text as a string cell that is never a formula
(``core.text.spreadsheet_cell``). In constant-memory mode xlsxwriter writes each row to a
temporary file as soon as the next one starts, so memory does not grow with the number of
rows; the package is assembled when the workbook is closed. Used by the table export
(``stream_xlsx``) and the audit report (``audits.reports.xlsx_report``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from compliance_hub.certificates.exports.rows import HEADERS, ExportRow
from compliance_hub.core.text import spreadsheet_cell as neutralise

TEXT, DAY, MOMENT, NUMBER, MONEY = "text", "day", "moment", "number", "money"
_FORMATS = {
    DAY: {"num_format": "yyyy-mm-dd"},
    MOMENT: {"num_format": "yyyy-mm-dd hh:mm:ss"},
    MONEY: {"num_format": "#,##0.00"},
}
SHEET = "Certificates"
MAX_ROWS = 1_048_575  # Excel's limit, below the header
CHUNK = 64 * 1024


class TooManyRows(ValueError):
    """More rows than one Excel worksheet holds."""


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    kind: str = TEXT


def workbook(target: str, tmpdir: str) -> Any:
    """A workbook writing to the file ``target``, its rows spooled to files in ``tmpdir``."""
    return xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "tmpdir": tmpdir,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "remove_timezone": True,
        },
    )


def add_table(
    book: Any, name: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]
) -> int:
    """Write ``rows`` as the worksheet ``name`` of ``book``; returns how many there were.

    Empty cells (``None`` or ``""``) are left empty.
    """
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True})
    formats = [book.add_format(_FORMATS[c.kind]) if c.kind in _FORMATS else None for c in columns]
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.title, bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            if value is None or value == "":
                continue
            kind = columns[index].kind
            if kind == TEXT:
                sheet.write_string(count, index, neutralise(str(value)))
            elif kind in (DAY, MOMENT):
                sheet.write_datetime(count, index, value, formats[index])
            else:
                sheet.write_number(count, index, float(value), formats[index])
    sheet.autofilter(0, 0, count, len(columns) - 1)
    return count


COLUMNS = tuple(
    Column(title, width, kind)
    for title, width, kind in zip(
        HEADERS,
        (28, 13, 13, 40, 17, 14, 20, 24, 60),
        (TEXT, DAY, DAY, TEXT, TEXT, TEXT, MOMENT, TEXT, TEXT),
        strict=True,
    )
)


def stream_xlsx(
    rows: Iterable[ExportRow], *, moment: datetime, title: str = "", subject: str = ""
) -> Iterator[bytes]:
    """The table's workbook, written to a temporary file as ``rows`` are read, then sent.

    ``moment`` (aware) dates it. The temporary files are removed when this generator ends or
    is closed.
    """
    with tempfile.TemporaryDirectory(prefix="hub-xlsx-") as directory:
        path = Path(directory) / "export.xlsx"
        book = workbook(str(path), directory)
        book.set_properties(
            {
                "title": title,
                "subject": subject,
                "author": "Compliance Hub",
                "created": moment.astimezone(UTC).replace(tzinfo=None),
            }
        )
        add_table(book, SHEET, COLUMNS, rows)
        book.close()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
