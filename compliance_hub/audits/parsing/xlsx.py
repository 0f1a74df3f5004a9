"""XLSX workbooks: the first sheet with data, cells turned into text the schedule reads."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from compliance_hub.audits.parsing import xlsx_fast
from compliance_hub.audits.parsing.table import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    FileProblem,
    Table,
    build_table,
)

# A 20 MB workbook that unpacks to more than this is refused (a "zip bomb").
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
SERIAL_1904_NOTE = "1904"


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _check_package(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem(
            "This file starts like an XLSX workbook but is damaged. Open it in Excel and save "
            "it again, or export the schedule as CSV."
        ) from None
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise FileProblem(
                "This is an OpenDocument spreadsheet (.ods). Save it as XLSX or CSV first."
            )
        raise FileProblem("This is a ZIP archive, not an Excel workbook. Upload a CSV or XLSX.")
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileProblem("This workbook is too large once unpacked. Export the schedule as CSV.")


def cell_text(value: Any) -> str:
    """A cell's value as the text the schedule parser reads (dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet has a formula element (``<f>``), read in chunks."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as member:
                tail = b""
                while chunk := member.read(1 << 20):
                    window = tail + chunk
                    if b"<f>" in window or b"<f " in window:
                        return True
                    tail = window[-3:]
    return False


def _open(data: bytes, data_only: bool) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises many kinds on damaged files; none may reach the person
        raise FileProblem(
            "This workbook could not be opened (it may be damaged or password-protected). "
            "Open it in Excel and save it again, or export the schedule as CSV."
        ) from None


def read_xlsx(data: bytes) -> Table:
    """Read the first sheet that has values (fast reader; openpyxl when it cannot).

    A formula cell gives the result Excel saved with the file; a formula without a saved
    result (files written by some programs) comes through as its formula text, which the
    schedule reports as a formula rather than a value.
    """
    _check_package(data)
    try:
        return _read_fast(data)
    except FileProblem:
        raise
    except Exception:  # anything the fast reader does not handle: openpyxl reads it
        return read_xlsx_openpyxl(data)


def _read_fast(data: bytes) -> Table:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = xlsx_fast.open_book(archive)
        for name, path in book.sheets:
            records = _limited(book.rows(path))
            if records:
                notes = [SERIAL_1904_NOTE] if book.epoch.year == 1904 else []
                return build_table("xlsx", records, sheet=name[:100], notes=notes)
    raise xlsx_fast.Unsupported("no values found")  # let openpyxl have a look


def read_xlsx_openpyxl(data: bytes) -> Table:
    """Read the first sheet that has values with openpyxl (slower, reads anything)."""
    workbook = _open(data, data_only=True)
    formulas = _open(data, data_only=False) if _has_formulas(data) else None
    try:
        for index, sheet in enumerate(workbook.worksheets):
            other = formulas.worksheets[index] if formulas is not None else None
            records = _records(sheet, other)
            if records:
                notes = []
                if getattr(workbook, "epoch", None) is not None and workbook.epoch.year == 1904:
                    notes.append(SERIAL_1904_NOTE)
                return build_table("xlsx", records, sheet=str(sheet.title)[:100], notes=notes)
    except FileProblem:
        raise
    except Exception:
        raise FileProblem(
            "This workbook could not be read (it may be damaged). Open it in Excel and save it "
            "again, or export the schedule as CSV."
        ) from None
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
    raise FileProblem("The workbook has no sheet with any values.")


def _rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    return rows


def _records(sheet: Any, formulas: Any = None) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) of the sheet's non-empty rows; formula text where no result."""
    pairs = (
        zip(_rows(sheet), _rows(formulas), strict=False)
        if formulas is not None
        else ((values, ()) for values in _rows(sheet))
    )

    def texts() -> Iterator[tuple[int, list[str]]]:
        for line, (values, written) in enumerate(pairs, 1):
            cells = [cell_text(v) for v in values]
            for i, text in enumerate(written):
                if i < len(cells) and not cells[i] and str(text).startswith("="):
                    cells[i] = str(text)
            yield line, cells

    return _limited(texts())


def _limited(rows: Iterator[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Non-empty rows (trailing empty cells dropped), refusing more than the row limit."""
    records: list[tuple[int, list[str]]] = []
    for line, cells in rows:
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            continue
        records.append((line, cells))
        if len(records) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise FileProblem(
                f"The workbook has more than {MAX_ROWS:,} payment rows; split it into "
                "smaller files and reconcile each."
            )
    return records
