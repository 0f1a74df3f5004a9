"""The table as CSV: every matching row (not just a page), streamed, safe in a spreadsheet."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from compliance_hub.activity.models import Activity
from compliance_hub.certificates import documents
from compliance_hub.certificates.exports.csv_export import (
    copy_available,
    stream_csv,
    stream_csv_copy,
)
from compliance_hub.certificates.exports.rows import export_rows
from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.certificates.queries import PAGE_SIZE, parse_filters, table_page
from tests import factories
from tests.exports.conftest import body, book, read_csv

pytestmark = pytest.mark.django_db

HEADERS = [
    "Contractor",
    "Effective date",
    "End date",
    "Description",
    "Certificate number",
    "Status",
    "Issued at (UTC)",
    "SHA-256",
    "Certificate link",
]


def url(facility_id: int, query: str = "") -> str:
    base = reverse("certificates:export_csv", kwargs={"facility_id": facility_id})
    return f"{base}?{query}" if query else base


def export(client, facility_id: int, query: str = "") -> list[list[str]]:
    response = client.get(url(facility_id, query))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="Riverside-Care-Home_assignments_'
    ) and response["Content-Disposition"].endswith('.csv"')
    rows = read_csv(body(response))
    assert rows[0] == HEADERS
    return rows[1:]


def table_rows(facility, query: str) -> list[list[str]]:
    """What the table shows for the same URL, page after page, as the CSV should have it."""
    facility.refresh_from_db()  # as a request reads it (the longest assignment has grown)
    filters, _ = parse_filters(QueryDict(query))
    page = table_page(facility, filters, page_size=10_000)
    expected = []
    for a in page.rows:
        c = Certificate.objects.get(number=a.certificate_number)
        expected.append(
            [
                a.contractor_name,
                a.effective_date.isoformat(),
                a.end_date.isoformat(),
                a.description,
                c.number,
                {"issued": "Current", "void": "Void"}[c.status],
                c.issued_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                c.sha256,
                f"http://testserver/facilities/{facility.pk}/certificates/{c.number}/",
            ]
        )
    return expected


@pytest.mark.parametrize(
    "query",
    [
        "",
        "active_from=2025-01-05&active_to=2025-01-20",
        "status=void",
        "q=garcia",
        "sort=name&dir=asc",
        "sort=end&dir=asc&effective_to=2025-02-01",
    ],
)
def test_rows_equal_the_tables_rows_for_the_same_filters(client, site, query):
    documents.ensure_rendered(site.rows["R3"].current_certificate)  # one with a SHA-256
    client.force_login(site.person)
    rows = export(client, site.facility.pk, query)
    assert rows == table_rows(site.facility, query)
    assert rows, "every case here matches something"


def test_every_matching_row_not_just_the_first_page(client, site):
    contractor = factories.contractor(site.facility.partner, "Lee", "Many")
    for i in range(PAGE_SIZE + 10):
        book(site.facility, contractor, date(2024, 1, 1 + i % 28), date(2024, 2, 1))
    client.force_login(site.person)
    rows = export(client, site.facility.pk)
    assert len(rows) == PAGE_SIZE + 15
    assert rows == table_rows(site.facility, "")


def test_values_as_written(client, site):
    certificate = documents.ensure_rendered(site.rows["R3"].current_certificate)
    client.force_login(site.person)
    rows = export(client, site.facility.pk, "q=zoe")
    assert rows == [
        [
            "Zoë O'Neil",
            "2025-01-15",
            "2025-02-15",
            "Night shift",
            certificate.number,
            "Current",
            f"{certificate.issued_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
            certificate.sha256,
            f"http://testserver/facilities/{site.facility.pk}/certificates/{certificate.number}/",
        ]
    ]
    # The link opens the certificate for a member.
    assert client.get(rows[0][8].removeprefix("http://testserver")).status_code == 200


def test_formula_injection_is_neutralised(client, site):
    partner = site.facility.partner
    evil = factories.contractor(partner, '=HYPERLINK("http://evil.example"', 'x")')
    for description in ("+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3", "\t=1", "Fine - really"):
        book(site.facility, evil, date(2026, 1, 1), date(2026, 1, 1), description)
    client.force_login(site.person)
    rows = export(client, site.facility.pk, "effective_from=2026-01-01")
    assert {r[0] for r in rows} == {'\'=HYPERLINK("http://evil.example" x")'}
    assert sorted(r[3] for r in rows) == sorted(
        ["'+cmd|' /C calc'!A0", "'@SUM(A1:A9)", "'-2+3", "'\t=1", "Fine - really"]
    )


def test_zero_rows_give_a_page_saying_so_not_an_empty_file(client, site):
    client.force_login(site.person)
    response = client.get(url(site.facility.pk, "effective_from=2030-01-01"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "Nothing to export: no assignments match these filters" in page
    assert "Effective on or after" in page  # which filters matched nothing
    assert "effective_from=2030-01-01" in page  # the way back keeps them, to widen
    assert not Activity.objects.filter(verb=Activity.Verb.EXPORTED).exists()


def test_recorded_in_activity_with_filters_and_row_count(client, site):
    client.force_login(site.person)
    export(client, site.facility.pk, "active_from=2025-01-05&active_to=2025-01-20")
    entry = Activity.objects.get(verb=Activity.Verb.EXPORTED)
    assert entry.actor_id == site.person.pk and entry.facility_id == site.facility.pk
    assert entry.detail == {
        "format": "csv",
        "filters": "active_from=2025-01-05&active_to=2025-01-20",
        "rows": 2,
    }


def test_scope_another_facility_is_404_and_never_leaks_rows(client, site):
    client.force_login(site.person)
    assert client.get(url(site.other.pk)).status_code == 404
    assert client.get(url(424_242)).status_code == 404
    rows = export(client, site.facility.pk, "q=garcia")
    assert site.foreign.current_certificate.number not in {r[4] for r in rows}
    assert len(rows) == 2
    outsider = factories.member(site.other)
    client.force_login(outsider)
    assert client.get(url(site.facility.pk)).status_code == 404
    assert not Activity.objects.filter(verb=Activity.Verb.EXPORTED, actor=outsider).exists()


def test_invalid_filters_are_refused_not_dropped(client, site):
    client.force_login(site.person)
    response = client.get(url(site.facility.pk, "active_from=2025-13-01&q=lee"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Export not started" in page
    assert "active_from=2025-13-01" in page  # the link back keeps what was typed
    assert not Activity.objects.filter(verb=Activity.Verb.EXPORTED).exists()


def test_the_header_is_sent_before_the_rows_are_read(client, site):
    client.force_login(site.person)
    response = client.get(url(site.facility.pk))
    first = next(iter(response.streaming_content))
    assert first == ("\ufeff" + ",".join(HEADERS) + "\r\n").encode()


def test_the_csv_is_the_python_writers_bytes_on_either_database(client, site):
    """On PostgreSQL the view has the database write the CSV (COPY), on SQLite the Python
    writer does; either way the file is, byte for byte, the Python writer's, awkward values too."""
    on_postgresql = connection.vendor == "postgresql"
    assert copy_available() is on_postgresql
    odd = factories.contractor(site.facility.partner, 'Ann "Quote", <x>', "Lee\r\nZoë")
    for description in ("=1+1", "", "a,b", "line\nbreak", "\tlead", "-", "\\.", " spaced "):
        book(site.facility, odd, date(2026, 5, 1), date(2026, 5, 2), description)
    documents.ensure_rendered(site.rows["R2"].current_certificate)
    Assignment.objects.filter(pk=site.rows["R3"].pk).update(current_certificate=None)
    queries = ("", "status=void", "q=lee&sort=name&dir=asc", "effective_from=2030-01-01")
    for query in queries if on_postgresql else ():  # COPY exists only on PostgreSQL
        filters, _ = parse_filters(QueryDict(query))
        python = b"".join(stream_csv(export_rows(site.facility, filters)))
        copied = b"".join(stream_csv_copy(site.facility, filters))
        assert copied == python, query
    client.force_login(site.person)
    response = client.get(url(site.facility.pk))
    assert body(response) == b"".join(
        stream_csv(export_rows(site.facility, parse_filters(QueryDict(""))[0]))
    )
