"""Names and descriptions written by anyone (partners, older data): no cell of the CSV, the
XLSX or the bulk ZIP's index.csv may start as a formula (ASCII or full-width trigger) or
carry a bidirectional control character, whatever the text."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from compliance_hub.certificates.exports.csv_export import stream_csv, stream_csv_copy
from compliance_hub.certificates.exports.rows import export_rows
from compliance_hub.certificates.models import Assignment, Contractor
from compliance_hub.certificates.queries import parse_filters
from tests import factories
from tests.exports.conftest import body, book, open_zip, read_csv

pytestmark = pytest.mark.django_db

# What Excel, LibreOffice or Sheets may run: = + - @ tab CR, and the full-width = + - @.
TRIGGERS = set("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ATOMS = [*sorted(TRIGGERS | BIDI), *"aZ 'é,\n\"", "SUM(A1)", "cmd|' /C calc'!A0"]
CELL = st.lists(st.sampled_from(ATOMS), min_size=1, max_size=8).map("".join)
QUERY = "effective_from=2031-01-01"


def safe(cell: str) -> bool:
    return (cell == "" or cell[0] not in TRIGGERS) and BIDI.isdisjoint(cell)


def expected(text: str) -> str:
    """What a cell shows for ``text``: its bidi controls gone, an apostrophe before a trigger."""
    shown = "".join(ch for ch in text if ch not in BIDI)
    return "'" + shown if shown[:1] in TRIGGERS else shown


def exports(client, facility) -> dict[str, list[list[str]]]:
    """The rows of each export of ``QUERY`` (text cells only for the XLSX), and the ZIP's
    member names."""

    def get(name: str) -> bytes:
        path = reverse(f"certificates:{name}", kwargs={"facility_id": facility.pk})
        response = client.get(f"{path}?{QUERY}")
        assert response.status_code == 200
        return body(response)

    sheet = load_workbook(io.BytesIO(get("export_xlsx")))["Certificates"]
    archive = open_zip(get("bulk_download"))
    index = archive.read("index.csv").decode("utf-8-sig")
    return {
        "member names": [archive.namelist()],
        "csv": read_csv(get("export_csv"))[1:],
        "xlsx": [
            [c.value for c in row if c.data_type == "s"] for row in sheet.iter_rows(min_row=2)
        ],
        "index.csv": list(csv.reader(io.StringIO(index, newline="")))[1:],
    }


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(st.tuples(CELL, CELL), min_size=1, max_size=4))
def test_no_exported_cell_is_a_formula_or_carries_a_bidi_control(client, site, texts):
    contractor = factories.contractor(site.facility.partner, "Ann", "Lee")
    for name, description in texts:  # stored before such text was refused at the door
        row = book(site.facility, contractor, date(2031, 1, 1), date(2031, 1, 2))
        Assignment.objects.filter(pk=row.pk).update(contractor_name=name, description=description)
    Contractor.objects.filter(pk=contractor.pk).update(first_name=texts[0][0], last_name="x")
    client.force_login(site.person)
    found = exports(client, site.facility)
    for where, rows in found.items():
        unsafe = [cell for row in rows for cell in row if not safe(cell)]
        assert not unsafe, (where, unsafe)
    shown = {(row[0], row[3]) for row in found["csv"]}
    assert {(expected(name), expected(text)) for name, text in texts} <= shown
    if connection.vendor == "postgresql":  # the CSV came from COPY: the same bytes as Python's
        filters, _ = parse_filters(QueryDict(QUERY))
        python = b"".join(stream_csv(export_rows(site.facility, filters)))
        assert b"".join(stream_csv_copy(site.facility, filters)) == python
