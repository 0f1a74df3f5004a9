"""Workbooks are read as Excel shows them: the first sheet with values, dates by their number
format, saved formula results, rows and columns where they are in the sheet."""

from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from compliance_hub.audits.parsing.files import read_schedule
from tests.audits.helpers import package, read, workbook_parts


def _save(book) -> bytes:
    from io import BytesIO

    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_typical_cells_read_as_excel_shows_them():
    book = Workbook()
    sheet = book.active
    sheet.title = "Payments Q1"
    sheet.append(["Schedule of payments"])
    sheet.append([])
    sheet.append(["Contractor", "Work date", "Paid", "Amount", "Flag", "Start", "Note"])
    sheet.append(
        [
            "Zoë O'Neil & Sons <x>",
            date(2026, 3, 5),
            datetime(2026, 3, 31, 9, 30),
            1234.5,
            True,
            time(8, 30),
            "  spaced  ",
        ]
    )
    sheet.append(["Jane Doe", 46090, "03/05/2026", 12, False])
    sheet.append([None, None, None, None])
    sheet.append(["José", date(2026, 12, 31), None, 0.25, None, None, "x" * 300])
    sheet["B7"].number_format = "dd/mm/yyyy"
    sheet.cell(row=5, column=4).number_format = "#,##0.00"
    table = read_schedule(_save(book))
    assert (table.kind, table.sheet, table.header_line) == ("xlsx", "Payments Q1", 3)
    assert table.rows == [
        (
            4,
            [
                "Zoë O'Neil & Sons <x>",
                "2026-03-05",
                "2026-03-31",
                "1234.5",
                "TRUE",
                "08:30",
                "  spaced  ",
            ],
        ),
        (5, ["Jane Doe", "46090", "03/05/2026", "12", "FALSE"]),
        (7, ["José", "2026-12-31", "", "0.25", "", "", "x" * 300]),
    ]


def test_write_only_workbooks_with_inline_strings():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("P")
    sheet.append(["Payee", "Service from", "Amount"])
    for i in range(50):
        sheet.append([f"Person {i}", date(2026, 1, 1 + i % 28), f"${i},000.50"])
    table = read_schedule(_save(book))
    assert len(table.rows) == 50
    assert table.rows[49] == (51, ["Person 49", "2026-01-22", "$49,000.50"])


def test_1904_date_system_dates_and_serial_numbers():
    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["Contractor", "Work date"])
    sheet.append(["Jane Doe", date(2026, 3, 5)])
    sheet.append(["John Roe", 44624])  # a bare serial number, counted from 1904-01-01
    table, schedule = read(_save(book))
    assert table.notes == ["1904"]
    assert table.rows[0][1][1] == "2026-03-05"
    assert [row.start for row in schedule.rows] == [date(2026, 3, 5), date(2026, 3, 5)]


def test_prefixed_xml_rich_text_escapes_and_sparse_cells():
    shared = (
        "<x:si><x:t>Contractor</x:t></x:si>"
        "<x:si><x:t>Work date</x:t></x:si>"
        '<x:si><x:r><x:t>Zo</x:t></x:r><x:r><x:t xml:space="preserve">ë Doe</x:t></x:r>'
        '<x:rPh sb="0" eb="1"><x:t>ゾ</x:t></x:rPh></x:si>'
        "<x:si><x:t>Tab &amp; more_x000D_</x:t></x:si>"
    )
    rows = (
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
        "</x:row>"
        '<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="C3"><x:v>46086</x:v></x:c>'
        "</x:row>"
        '<x:row r="4"><x:c r="B4" t="s"><x:v>3</x:v></x:c>'
        '<x:c r="D4" t="str"><x:f>A1</x:f><x:v>Contractor</x:v></x:c></x:row>'
    )
    table = read_schedule(package(workbook_parts(rows, shared)))
    assert table.rows == [
        (3, ["Zoë Doe", "", "46086"]),
        (4, ["", "Tab & more\r", "", "Contractor"]),  # the saved result of formula =A1
    ]


def test_values_away_from_a1_keep_their_rows_and_columns():
    rows = (
        '<row r="7"><c r="C7" t="inlineStr"><is><t>Payee</t></is></c>'
        '<c r="D7" t="inlineStr"><is><t>Date</t></is></c></row>'
        '<row r="8"><c r="C8" t="inlineStr"><is><t>Jane Doe</t></is></c>'
        '<c r="D8"><v>46086</v></c></row>'
    )
    table = read_schedule(package(workbook_parts(rows, prefix="")))
    assert (table.header_line, table.header) == (7, ["", "", "Payee", "Date"])
    assert table.rows == [(8, ["", "", "Jane Doe", "46086"])]


def test_the_first_sheet_with_values_is_read():
    book = Workbook()
    book.active.title = "Cover"
    data = book.create_sheet("Data")
    data.append(["Contractor", "Work date"])
    data.append(["Jane Doe", date(2026, 3, 5)])
    book.create_sheet("Later").append(["Not", "this"])
    assert read_schedule(_save(book)).sheet == "Data"


def test_columns_after_the_64th_are_ignored():
    book = Workbook()
    book.active.append(["Contractor", "Work date", *[f"c{i}" for i in range(70)]])
    book.active.append(["Jane Doe", date(2026, 3, 5), *range(70)])
    table = read_schedule(_save(book))
    assert len(table.header) == 64 and table.header[-1] == "c61"
    assert table.rows[0][1][:2] == ["Jane Doe", "2026-03-05"] and len(table.rows[0][1]) == 64
