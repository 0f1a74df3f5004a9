"""The fast XLSX reader reads exactly what openpyxl reads, for the cells a schedule has."""

# ruff: noqa: E501 - literal XML parts

import io
import zipfile
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from compliance_hub.audits.parsing import xlsx
from compliance_hub.audits.parsing.xlsx_fast import Unsupported


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _both(data: bytes):
    fast = xlsx._read_fast(data)
    slow = xlsx.read_xlsx_openpyxl(data)
    return fast, slow


def _assert_same(data: bytes):
    fast, slow = _both(data)
    assert (fast.header_line, fast.header, fast.sheet, fast.notes) == (
        slow.header_line,
        slow.header,
        slow.sheet,
        slow.notes,
    )
    assert fast.rows == slow.rows
    return fast


def test_typical_cells_read_the_same():
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
    sheet.append(["Jane Doe", 46090, "03/05/2026", 12, False, None, "=not a formula?"])
    sheet.append([None, None, None, None])
    sheet.append(["José", date(2026, 12, 31), None, 0.1 + 0.2, None, None, "x" * 300])
    sheet["B7"].number_format = "dd/mm/yyyy"
    sheet.cell(row=5, column=4).number_format = "#,##0.00"
    table = _assert_same(_save(book))
    assert table.header_line == 3
    assert table.rows[0] == (
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
    )
    assert table.rows[1][1][:3] == ["Jane Doe", "46090", "03/05/2026"]


def test_formulas_without_saved_results_read_as_formulas():
    book = Workbook()
    sheet = book.active
    sheet.append(["Contractor", "Work date", "Amount"])
    sheet.append(["Jane Doe", date(2026, 3, 5), "=10*2"])
    table = _assert_same(_save(book))
    assert table.rows[0][1][2] == "=10*2"


def test_write_only_workbooks_with_inline_strings():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("P")
    sheet.append(["Payee", "Service from", "Amount"])
    for i in range(50):
        sheet.append([f"Person {i}", date(2026, 1, 1 + i % 28), f"${i},000.50"])
    table = _assert_same(_save(book))
    assert len(table.rows) == 50


def test_1904_date_system():
    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["Contractor", "Work date"])
    sheet.append(["Jane Doe", date(2026, 3, 5)])
    sheet.append(["John Roe", 44624])
    table = _assert_same(_save(book))
    assert table.notes == ["1904"]
    assert table.rows[0][1][1] == "2026-03-05"


def _handmade(sheet_xml: str, shared: str = "") -> bytes:
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><x:workbook {ns} xmlns:r="{rel}"><x:sheets>'
            '<x:sheet name="Data" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0"?><x:sst {ns}>{shared}</x:sst>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><x:worksheet {ns}><x:sheetData>{sheet_xml}</x:sheetData></x:worksheet>',
        )
    return out.getvalue()


def test_prefixed_xml_rich_text_and_sparse_cells():
    shared = (
        "<x:si><x:t>Contractor</x:t></x:si>"
        "<x:si><x:t>Work date</x:t></x:si>"
        '<x:si><x:r><x:t>Zo</x:t></x:r><x:r><x:t xml:space="preserve">ë Doe</x:t></x:r>'
        '<x:rPh sb="0" eb="1"><x:t>ゾ</x:t></x:rPh></x:si>'
        "<x:si><x:t>Tab &amp; more</x:t></x:si>"
    )
    rows = (
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="C3"><x:v>46086</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="B4" t="s"><x:v>3</x:v></x:c><x:c r="D4" t="str"><x:f>A1</x:f><x:v>Contractor</x:v></x:c></x:row>'
    )
    table = _assert_same(_handmade(rows, shared))
    assert table.rows == [
        (3, ["Zoë Doe", "", "46086"]),
        (4, ["", "Tab & more", "", "Contractor"]),
    ]


def test_excel_character_escapes_are_decoded():
    from compliance_hub.audits.parsing.xlsx_fast import _text

    assert _text("Line_x000D_break &amp; _x0041_") == "Line\rbreak & A"


def test_the_fast_reader_refuses_what_it_does_not_understand():
    with pytest.raises(Unsupported):
        xlsx._read_fast(_handmade(""))  # no values: openpyxl gets to decide


def test_read_xlsx_falls_back_to_openpyxl(monkeypatch):
    book = Workbook()
    book.active.append(["Contractor", "Work date"])
    book.active.append(["Jane Doe", date(2026, 3, 5)])

    def broken(archive):
        raise Unsupported("simulated")

    monkeypatch.setattr(xlsx.xlsx_fast, "open_book", broken)
    table = xlsx.read_xlsx(_save(book))
    assert table.rows == [(2, ["Jane Doe", "2026-03-05"])]
