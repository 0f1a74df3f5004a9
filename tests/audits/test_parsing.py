"""Reading uploaded files: encodings, delimiters, XLSX cells, and bad files with their messages."""

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from compliance_hub.audits.parsing.files import read_schedule
from compliance_hub.audits.parsing.limits import MAX_ROWS
from compliance_hub.audits.parsing.table import FileProblem
from tests.audits.helpers import csv_bytes, read, xlsx_bytes

ROWS = [
    ["Contractor", "Work date", "Amount"],
    ["Zoë Müller", "2026-03-05", "1,234.50"],
    ["José Núñez", "2026-03-06", "€12.00"],
]


def _problem(data: bytes) -> str:
    with pytest.raises(FileProblem) as caught:
        read_schedule(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 (with BOM)"),
        ("utf-16", "UTF-16"),
        ("cp1252", "Windows-1252"),
    ],
)
def test_csv_encodings_read_the_same_names(encoding, label):
    table, schedule = read(csv_bytes(ROWS, encoding=encoding))
    assert table.encoding == label
    assert table.header == ["Contractor", "Work date", "Amount"]
    assert [r.name for r in schedule.rows] == ["Zoë Müller", "José Núñez"]
    assert [str(r.amount) for r in schedule.rows] == ["1234.50", "12.00"]


def test_excel_unicode_text_is_utf16_with_tabs():
    data = csv_bytes(ROWS, encoding="utf-16", delimiter="\t")
    table, schedule = read(data)
    assert (table.encoding, table.delimiter) == ("UTF-16", "\t")
    assert schedule.rows[0].name == "Zoë Müller"


def test_utf16_without_bom_is_recognised():
    data = csv_bytes(ROWS, encoding="utf-16-le")
    table, schedule = read(data)
    assert table.encoding == "UTF-16"
    assert schedule.rows[1].name == "José Núñez"


def test_bytes_outside_windows_1252_fall_back_to_latin_1():
    data = "Contractor,Work date\nAb\x81c Doe,2026-03-05\n".encode("latin-1")
    table, schedule = read(data)
    assert table.encoding == "Latin-1"
    assert schedule.rows[0].name == "Ab\x81c Doe"


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), (",", "comma")])
def test_delimiters_are_detected(delimiter, name):
    rows = [["Name", "Date", "Amount"], ["Doe, Jane", "05.03.2026", "1.234,50"]]
    table, schedule = read(csv_bytes(rows, delimiter=delimiter))
    assert table.delimiter == delimiter
    assert schedule.rows[0].name == "Doe, Jane"
    assert schedule.rows[0].start == date(2026, 3, 5)
    assert str(schedule.rows[0].amount) == "1234.50"


def test_title_rows_above_the_header_are_skipped_and_rows_keep_file_numbers():
    rows = [
        ["Payments Q1 2026"],
        [],
        ["Contractor", "Work date"],
        ["Jane Doe", "2026-03-05"],
        [],
        ["John Roe", "2026-03-06"],
    ]
    table, schedule = read(csv_bytes(rows))
    assert table.header_line == 3
    assert [r.line for r in schedule.rows] == [4, 6]


def test_xlsx_with_real_dates_numbers_and_serials():
    rows = [
        ["Worker name", "Shift date", "Paid on", "Gross"],
        ["Jane Doe", date(2026, 3, 5), datetime(2026, 3, 31, 9, 30), 1234.5],
        ["John Roe", 46090, "04/01/2026", 99],
    ]
    table, schedule = read(xlsx_bytes(rows))
    assert (table.kind, table.sheet) == ("xlsx", "Payments")
    first, second = schedule.rows
    assert (first.start, first.payment_date, str(first.amount)) == (
        date(2026, 3, 5),
        date(2026, 3, 31),
        "1234.50",
    )
    # 46090 is Excel's serial number of 2026-03-09 (46023 is 2026-01-01).
    assert second.start == date(2026, 3, 9)
    assert second.payment_date == date(2026, 4, 1)


def test_xlsx_formula_without_saved_result_reads_as_an_empty_cell():
    # Excel saves each formula's result, and that result is what is read. A formula saved
    # without one (some programs write such files) leaves nothing to read: the cell is empty,
    # so a row whose work date is such a formula is unreadable.
    book = Workbook()
    sheet = book.active
    sheet.append(["Contractor", "Work date", "Amount"])
    sheet.append(["Jane Doe", "=DATE(2026,3,5)", 20])
    out = io.BytesIO()
    book.save(out)
    _table, schedule = read(out.getvalue())
    assert schedule.rows[0].errors == ["Work date is empty."]


def test_xlsx_uses_the_first_sheet_with_values():
    book = Workbook()
    book.active.title = "Cover"
    data = book.create_sheet("Data")
    data.append(["Contractor", "Work date"])
    data.append(["Jane Doe", date(2026, 3, 5)])
    out = io.BytesIO()
    book.save(out)
    table, _schedule = read(out.getvalue())
    assert table.sheet == "Data"


def test_file_type_is_decided_by_content_not_name():
    # An XLSX is recognised whatever it is called; a CSV as well.
    assert read_schedule(xlsx_bytes(ROWS)).kind == "xlsx"
    assert read_schedule(csv_bytes(ROWS)).kind == "csv"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\r\n , ,\r\n", "The file is empty: it has no rows with any values."),
        (
            b"Contractor,Work date\r\n",
            "The file has a header row (row 1) but no payment rows below it.",
        ),
        (
            b"just one column\nJane Doe\n",
            "The hub found only one column. Use a CSV with columns separated by commas, "
            "semicolons or tabs, or an XLSX workbook, with a header row such as "
            "“Contractor, Work date, Amount”.",
        ),
        (b"%PDF-1.7\n...", "This is a PDF. Upload the schedule of payments as CSV or XLSX."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "This is an old Excel 97-2003 (.xls) file or a password-protected workbook. "
            "Save it as XLSX (Excel Workbook) or CSV, without a password.",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01",
            "This file is neither text nor an Excel workbook (it contains binary data). "
            "Upload the schedule as CSV or XLSX.",
        ),
        (
            b"PK\x03\x04garbage that is not a zip",
            "This file starts like an XLSX workbook but is damaged. Open it in Excel and save "
            "it again, or export the schedule as CSV.",
        ),
    ],
)
def test_bad_files_get_human_messages(data, message):
    assert _problem(data) == message


def test_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert _problem(out.getvalue()) == (
        "This is a ZIP archive, not an Excel workbook. Upload a CSV or XLSX."
    )


def test_invalid_utf8_after_a_bom_names_the_row():
    data = b"\xef\xbb\xbfContractor,Work date\r\nJane,2026-03-05\r\nJo\xff,2026-03-06\r\n"
    assert _problem(data) == (
        "Row 3: the file says it is UTF-8 (with BOM) but has bytes that are not valid "
        "UTF-8 (with BOM). Save it again as “CSV UTF-8” or as XLSX."
    )


def test_control_characters_mean_a_wrong_encoding_and_name_the_row():
    data = b"Contractor,Work date\r\nJane,2026-03-05\r\nJo\x01hn,2026-03-06\r\n"
    message = _problem(data)
    assert message.startswith("Row 3: the file contains characters that are not text")


def test_too_many_rows_is_refused_with_the_limit():
    lines = ["Contractor,Work date"] + [f"P{i},2026-03-05" for i in range(MAX_ROWS + 1)]
    message = _problem("\n".join(lines).encode())
    assert message == (
        "The file has 50,001 payment rows; the limit is 50,000. Split it into smaller files "
        "and reconcile each."
    )


def test_exactly_the_row_limit_is_accepted():
    lines = ["Contractor,Work date"] + [f"P{i},2026-03-05" for i in range(MAX_ROWS)]
    assert len(read_schedule("\n".join(lines).encode()).rows) == MAX_ROWS


def test_too_large_file_is_refused():
    assert _problem(b"a" * (20 * 1024 * 1024 + 1)) == "The file is 20.0 MB; the limit is 20 MB."


def test_unclosed_quote_names_the_row_where_it_opens():
    data = b'Contractor,Work date\r\n"Jane Doe,2026-03-05\r\nJohn,2026-03-06\r\n'
    assert _problem(data).startswith("Row 2: the file could not be read as CSV")


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Smith\u202eFDP.exe" shows as "Smithexe.PDF"


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_bidirectional_controls_are_removed_from_every_cell(make):
    rows = [
        [f"Contr{RLO}actor", "Work date"],
        [f"Jane\u2066 Doe{RLO}gnp.exe", "2026-03-05"],
        ["\u200fJohn Roe\u202c", "2026-03-06"],
    ]
    table, schedule = read(make(rows))
    assert table.header == ["Contractor", "Work date"]
    assert [r.name for r in schedule.rows] == ["Jane Doegnp.exe", "John Roe"]


@pytest.mark.django_db
def test_bidirectional_controls_are_removed_from_sheet_and_file_names(facility):
    from compliance_hub.audits import services
    from tests import factories

    data = xlsx_bytes(ROWS, sheet_title=f"Pay{RLO}stnem")
    upload = services.keep_upload(facility, factories.member(facility), f"a{RLO}xslx.csv", data)
    assert (upload.sheet, upload.file_name) == ("Paystnem", "axslx.csv")
