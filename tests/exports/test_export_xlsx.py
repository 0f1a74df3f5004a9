"""The table as XLSX: real date cells, bold frozen header, autofilter, text never a formula."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from compliance_hub.activity.models import Activity
from compliance_hub.certificates import documents
from tests import factories
from tests.exports.conftest import book
from tests.exports.test_export_csv import HEADERS, table_rows

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(facility_id: int, query: str = "") -> str:
    base = reverse("certificates:export_xlsx", kwargs={"facility_id": facility_id})
    return f"{base}?{query}" if query else base


def export(client, facility_id: int, query: str = ""):
    response = client.get(url(facility_id, query))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    data = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Certificates"]
    return workbook["Certificates"]


def as_text(cell) -> str:
    """A cell as the CSV writes it, so both exports can be compared with the table."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if cell.column == 7 else value.date().isoformat()
    return value


@pytest.mark.parametrize("query", ["", "active_from=2025-01-05&active_to=2025-01-20", "q=garcia"])
def test_rows_equal_the_tables_rows_for_the_same_filters(client, site, query):
    documents.ensure_rendered(site.rows["R4"].current_certificate)
    client.force_login(site.person)
    sheet = export(client, site.facility.pk, query)
    rows = [[as_text(c) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == table_rows(site.facility, query)


def test_dates_are_date_cells_and_the_header_is_bold_frozen_and_filtered(client, site):
    client.force_login(site.person)
    sheet = export(client, site.facility.pk)
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I6"
    first = sheet[2]  # R5, Dana Smith-Jones, 2025-03-01 .. 2025-03-31
    assert first[1].is_date and first[1].value == datetime(2025, 3, 1)
    assert first[1].number_format == "yyyy-mm-dd"
    assert first[2].is_date and first[2].value == datetime(2025, 3, 31)
    issued = site.rows["R5"].current_certificate.issued_at.astimezone(UTC)
    assert first[6].is_date
    assert abs(first[6].value - issued.replace(tzinfo=None)).total_seconds() < 1
    assert sheet.column_dimensions["A"].width >= 20
    assert sheet.column_dimensions["D"].width >= 30


def test_formula_injection_is_written_as_neutralised_text(client, site):
    evil = factories.contractor(site.facility.partner, '=HYPERLINK("http://evil.example"', 'x")')
    for description in ("+cmd", "@SUM(A1:A9)", "-2+3"):
        book(site.facility, evil, date(2026, 1, 1), date(2026, 1, 1), description)
    client.force_login(site.person)
    sheet = export(client, site.facility.pk, "effective_from=2026-01-01")
    cells = [c for row in sheet.iter_rows(min_row=2) for c in (row[0], row[3])]
    assert all(c.data_type == "s" for c in cells)  # strings, never formulas ("f")
    assert {c.value for c in cells} == {
        '\'=HYPERLINK("http://evil.example" x")',
        "'+cmd",
        "'@SUM(A1:A9)",
        "'-2+3",
    }


def test_zero_rows_give_a_page_saying_so_not_an_empty_workbook(client, site):
    client.force_login(site.person)
    response = client.get(url(site.facility.pk, "status=void&q=nobody"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Nothing to export: no assignments match these filters" in response.content.decode()
    assert not Activity.objects.filter(verb=Activity.Verb.EXPORTED).exists()


def test_recorded_in_activity(client, site):
    client.force_login(site.person)
    export(client, site.facility.pk, "status=current")
    entry = Activity.objects.get(verb=Activity.Verb.EXPORTED)
    assert entry.detail == {"format": "xlsx", "filters": "status=current", "rows": 4}
    assert entry.target.endswith(".xlsx")


def test_scope(client, site):
    client.force_login(site.person)
    assert client.get(url(site.other.pk)).status_code == 404
    outsider = factories.member(site.other)
    client.force_login(outsider)
    assert client.get(url(site.facility.pk)).status_code == 404
    assert not Activity.objects.filter(verb=Activity.Verb.EXPORTED).exists()


def test_more_rows_than_a_worksheet_holds_is_refused_clearly(client, site, monkeypatch):
    monkeypatch.setattr("compliance_hub.certificates.exports.services.MAX_ROWS", 3)
    client.force_login(site.person)
    response = client.get(url(site.facility.pk))
    assert response.status_code == 400
    assert "Too many rows for one Excel worksheet" in response.content.decode()
    assert not Activity.objects.filter(verb=Activity.Verb.EXPORTED).exists()


def test_the_workbook_is_sent_from_a_temporary_file_that_is_then_removed(
    client, site, tmp_path, monkeypatch
):
    """Rows go to disk as they are read (constant memory); the finished package is sent in
    chunks, and nothing is left behind, also when the download is abandoned."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client.force_login(site.person)
    response = client.get(url(site.facility.pk))
    assert response.streaming
    assert "Content-Length" not in response
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04")
    # (``media`` holds the certificate PDFs rendered for the export's SHA-256 column.)
    temporary = [p.name[:9] for p in tmp_path.iterdir() if p.name != "media"]
    assert temporary == ["hub-xlsx-"]  # while sending
    data = first + b"".join(chunks)
    assert [p for p in tmp_path.iterdir() if p.name != "media"] == []
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # never a formula
    assert 't="inlineStr"' in sheet  # no shared-string table held in memory
    assert archive.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_DEFLATED
    props = archive.read("docProps/core.xml").decode()
    assert "<dc:title>Certificates: Riverside Care Home</dc:title>" in props
    abandoned = client.get(url(site.facility.pk))
    next(iter(abandoned.streaming_content))
    abandoned.close()  # the client went away: the server closes the response
    assert [p for p in tmp_path.iterdir() if p.name != "media"] == []


def test_unusual_text_survives_exactly(client, site):
    """Characters XML cannot carry, CR, tab, Excel's own ``_xHHHH_`` escapes and markup come
    back as typed (after neutralising), as a spreadsheet program reads them (calamine, which
    decodes the escapes as Excel does)."""
    odd = factories.contractor(site.facility.partner, "Ann <b>&amp;", "Lee_x000D_")
    for description in ("\r=1+1", "line one\nline two", "tab\there", "bell\x07ring"):
        book(site.facility, odd, date(2027, 1, 1), date(2027, 1, 1), description)
    client.force_login(site.person)
    response = client.get(url(site.facility.pk, "effective_from=2027-01-01"))
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Certificates")
    rows = rows.to_python()[1:]
    assert {row[0] for row in rows} == {"Ann <b>&amp; Lee_x000D_"}
    assert sorted(row[3] for row in rows) == sorted(
        ["'\r=1+1", "line one\nline two", "tab\there", "bell\x07ring"]
    )
