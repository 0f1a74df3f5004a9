"""Exports never show a blank SHA-256: certificates still waiting for their PDF are rendered
first (the same way as the bulk ZIP), a batch at a time."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from compliance_hub.certificates.exports import pdfs
from compliance_hub.certificates.exports.csv_export import copy_available, stream_csv_copy
from compliance_hub.certificates.exports.rows import export_rows, render_all_pending
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.queries import parse_filters
from tests import factories
from tests.exports.conftest import body, book, read_csv

pytestmark = pytest.mark.django_db

SHA256_COLUMN = 7
NUMBER_COLUMN = 4


def original_download(client, facility_id: int, number: str) -> bytes:
    """The PDF as issued, as a member downloads it (the original link: a void certificate's
    plain download is its stamped copy)."""
    response = client.get(reverse("certificates:original", args=[facility_id, number]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def assert_every_hash_is_the_downloaded_pdfs(client, site, rows: list[list[str]]) -> None:
    assert len(rows) == 5
    for row in rows:
        number, sha256 = row[NUMBER_COLUMN], row[SHA256_COLUMN]
        assert len(sha256) == 64, f"{number}: blank or partial SHA-256 {sha256!r}"
        pdf = original_download(client, site.facility.pk, number)
        assert hashlib.sha256(pdf).hexdigest() == sha256, number


def test_a_csv_of_freshly_issued_certificates_has_every_hash(client, site):
    assert not Certificate.objects.filter(rendered_at__isnull=False).exists()  # none rendered
    client.force_login(site.person)
    response = client.get(reverse("certificates:export_csv", args=[site.facility.pk]))
    rows = read_csv(body(response))[1:]
    assert_every_hash_is_the_downloaded_pdfs(client, site, rows)
    # Only the listed certificates were rendered: the other facility's is still pending.
    assert Certificate.objects.get(pk=site.foreign.current_certificate_id).rendered_at is None


def test_the_pending_certificates_of_the_matching_rows_are_rendered_before_copy(
    client, site, monkeypatch
):
    """On PostgreSQL the database writes the CSV rows (COPY): their certificates are
    rendered before it runs, batch by batch; only the matching ones."""
    monkeypatch.setattr(pdfs, "RENDER_BATCH", 2)
    filters = parse_filters(QueryDict("q=garcia"))[0]  # R1 and R4
    assert render_all_pending(site.facility, filters) == 2
    garcia = [site.rows["R1"].current_certificate_id, site.rows["R4"].current_certificate_id]
    rendered = Certificate.objects.filter(rendered_at__isnull=False)
    assert sorted(rendered.values_list("pk", flat=True)) == sorted(garcia)
    assert render_all_pending(site.facility, filters) == 0  # nothing left to do
    if copy_available():  # PostgreSQL: the whole file as COPY writes it
        client.force_login(site.person)
        data = b"".join(stream_csv_copy(site.facility, parse_filters(QueryDict(""))[0]))
        assert_every_hash_is_the_downloaded_pdfs(client, site, read_csv(data)[1:])
    else:
        assert connection.vendor != "postgresql"


def test_with_no_certificate_pending_anywhere_the_check_is_one_probe(
    site, django_assert_num_queries
):
    """The steady state (the worker has rendered everything): one look at its queue, not a
    join of every matching row to its certificate (0.8 s for 200,000 rows when the planner
    still believed in a backlog)."""
    filters = parse_filters(QueryDict(""))[0]
    render_all_pending(site.facility, filters)
    render_all_pending(site.foreign.facility, filters)
    assert not Certificate.objects.filter(rendered_at__isnull=True).exists()
    with django_assert_num_queries(1) as probe:
        assert render_all_pending(site.facility, filters) == 0
    assert "certificates_assignment" not in probe.captured_queries[0]["sql"]


def test_an_xlsx_of_freshly_issued_certificates_has_every_hash(client, site):
    assert not Certificate.objects.filter(rendered_at__isnull=False).exists()
    client.force_login(site.person)
    response = client.get(reverse("certificates:export_xlsx", args=[site.facility.pk]))
    sheet = load_workbook(io.BytesIO(body(response)))["Certificates"]
    rows = [["" if c.value is None else c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert_every_hash_is_the_downloaded_pdfs(client, site, rows)


def test_rows_are_rendered_a_batch_at_a_time_as_they_are_read(site, monkeypatch):
    """A large export never renders everything before its first row, nor holds the PDFs."""
    monkeypatch.setattr(pdfs, "RENDER_BATCH", 2)
    rows = export_rows(site.facility, parse_filters(QueryDict(""))[0])
    first = next(rows)
    assert len(first.sha256) == 64
    assert Certificate.objects.filter(rendered_at__isnull=False).count() == 2
    rest = list(rows)
    assert all(len(row.sha256) == 64 for row in rest) and len(rest) == 4


def test_a_certificate_that_cannot_be_rendered_does_not_stop_the_export(client, site, monkeypatch):
    from compliance_hub.certificates import documents

    broken = site.rows["R3"].current_certificate
    real = documents.render_pdf

    def render(certificate):
        if certificate.pk == broken.pk:
            raise OSError("the file store is full")
        return real(certificate)

    monkeypatch.setattr(documents, "render_pdf", render)
    client.force_login(site.person)
    response = client.get(reverse("certificates:export_csv", args=[site.facility.pk]))
    rows = read_csv(body(response))[1:]
    assert len(rows) == 5
    hashes = {row[NUMBER_COLUMN]: row[SHA256_COLUMN] for row in rows}
    assert hashes.pop(broken.number) == ""  # its PDF does not exist: nothing to vouch for
    assert all(len(value) == 64 for value in hashes.values())


def test_rows_added_later_in_another_facility_are_untouched(client, site):
    contractor = factories.contractor(site.other.partner, "Ida", "Late")
    late = book(site.other, contractor, date(2025, 6, 1), date(2025, 6, 2))
    late.refresh_from_db()
    client.force_login(site.person)
    client.get(reverse("certificates:export_csv", args=[site.facility.pk]))
    assert Certificate.objects.get(pk=late.current_certificate_id).rendered_at is None
