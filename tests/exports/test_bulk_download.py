"""The bulk ZIP: every certificate matching the filters, streamed, with index.csv and README."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from compliance_hub.activity.models import Activity
from compliance_hub.certificates import copies, documents
from compliance_hub.certificates.exports import bulk, pdfs
from compliance_hub.certificates.models import Certificate
from compliance_hub.facilities.models import Facility
from tests import factories
from tests.exports.conftest import body, book, open_zip

pytestmark = pytest.mark.django_db

INDEX_HEADERS = [
    "Contractor",
    "Effective date",
    "End date",
    "Certificate number",
    "Status",
    "SHA-256",
    "File name",
    "Note",
]


def url(facility_id: int, query: str = "") -> str:
    base = reverse("certificates:bulk_download", kwargs={"facility_id": facility_id})
    return f"{base}?{query}" if query else base


def read_index(archive) -> list[dict[str, str]]:
    data = archive.read("index.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode(), newline="")))
    assert rows[0] == INDEX_HEADERS
    return [dict(zip(INDEX_HEADERS, row, strict=True)) for row in rows[1:]]


def download(client, facility_id: int, query: str = ""):
    response = client.get(url(facility_id, query))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    return open_zip(body(response)), response


def test_every_certificate_with_its_stored_bytes_and_hash(client, site):
    client.force_login(site.person)
    assert not Certificate.objects.filter(rendered_at__isnull=False).exists()  # none yet
    archive, response = download(client, site.facility.pk)
    assert response.streaming
    assert response["Content-Disposition"].startswith(
        'attachment; filename="Riverside-Care-Home_certificates_'
    )
    index = read_index(archive)
    # Table order: effective date, newest first (ties: newest row first).
    assert [r["Certificate number"] for r in index] == [
        site.rows[label].current_certificate.number for label in ("R5", "R4", "R3", "R2", "R1")
    ]
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert archive.namelist() == [*pdfs, "index.csv", "README.txt"]
    assert pdfs == [r["File name"] for r in index]
    for entry in index[1:]:
        certificate = Certificate.objects.get(number=entry["Certificate number"])
        member = archive.read(entry["File name"])
        assert member == documents.open_pdf(certificate).read()
        assert member.startswith(b"%PDF")
        assert hashlib.sha256(member).hexdigest() == entry["SHA-256"] == certificate.sha256
        assert entry["Note"] == ""
    # R5's void certificate is there as its copy stamped VOID on every page, named so; the
    # index gives that file's SHA-256, and the issued PDF's in the note.
    void = Certificate.objects.get(number=index[0]["Certificate number"])
    member = archive.read(index[0]["File name"])
    assert index[0]["File name"].endswith(f"{void.number}-VOID.pdf")
    assert member == copies.stamped_pdf(void)
    assert hashlib.sha256(member).hexdigest() == index[0]["SHA-256"] != void.sha256
    assert index[0]["Note"] == (
        "Copy stamped VOID on every page: no longer valid. "
        f"SHA-256 of the PDF as issued: {void.sha256}"
    )
    pages = PdfReader(io.BytesIO(member)).pages
    assert all("VOID since" in (page.extract_text() or "") for page in pages)
    r3 = next(
        r for r in index if r["Certificate number"] == site.rows["R3"].current_certificate.number
    )
    assert r3["Contractor"] == "Zoë O'Neil"
    assert (r3["Effective date"], r3["End date"], r3["Status"]) == (
        "2025-01-15",
        "2025-02-15",
        "Current",
    )
    assert r3["File name"] == f"ONeil-Zoe_2025-01-15_2025-02-15_{r3['Certificate number']}.pdf"
    assert index[0]["Status"] == "Void"  # R5 was cancelled; its void certificate is included
    # Every PDF was rendered on the way, and its file and hash recorded.
    assert (
        not Certificate.objects.filter(rendered_at__isnull=True)
        .exclude(assignment__facility=site.other)
        .exists()
    )


def test_readme_states_facility_filters_time_and_counts(client, site):
    client.force_login(site.person)
    archive, _ = download(client, site.facility.pk, "active_from=2025-01-05&active_to=2025-01-20")
    readme = archive.read("README.txt").decode()
    assert "Certificates of insurance: Riverside Care Home" in readme
    assert "Staffing partner: Shiftwise Staffing" in readme
    assert f"by {site.person.email}" in readme
    assert "Filters: Active during Jan 5, 2025 to Jan 20, 2025." in readme
    assert "Assignments matching the filters: 2" in readme
    assert "Certificate PDFs in this archive: 2" in readme
    assert "http://testserver/verify/" in readme
    moment = Activity.objects.get(verb=Activity.Verb.BULK_DOWNLOADED).at
    assert f"on {moment:%Y-%m-%d %H:%M:%S} UTC." in readme


@pytest.mark.parametrize(
    ("query", "labels"),
    [
        ("active_from=2025-01-05&active_to=2025-01-20", ["R3", "R2"]),
        ("status=void", ["R5"]),
        ("q=garcia", ["R4", "R1"]),
        ("effective_from=2025-01-01&effective_to=2025-01-01&sort=name&dir=asc", ["R1", "R2"]),
    ],
)
def test_only_certificates_matching_the_filters(client, site, query, labels):
    client.force_login(site.person)
    archive, _ = download(client, site.facility.pk, query)
    expected = [site.rows[label].current_certificate.number for label in labels]
    assert [r["Certificate number"] for r in read_index(archive)] == expected
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    # A void certificate's member is its stamped copy, named ``…-VOID.pdf``.
    numbers = [name.rsplit("_", 1)[1].removesuffix(".pdf").removesuffix("-VOID") for name in pdfs]
    assert numbers == expected


def test_another_facilitys_certificates_are_never_included(client, site):
    """José García also worked at Hillside on 2025-01-01; the filter matches that row's
    dates and name, yet only Riverside's certificates are in the archive."""
    foreign = documents.ensure_rendered(site.foreign.current_certificate)
    client.force_login(site.person)
    archive, _ = download(client, site.facility.pk, "q=garcia&effective_to=2025-01-01")
    numbers = [r["Certificate number"] for r in read_index(archive)]
    assert numbers == [site.rows["R1"].current_certificate.number]
    foreign_bytes = documents.open_pdf(foreign).read()
    assert all(archive.read(n) != foreign_bytes for n in archive.namelist())
    assert foreign.number not in "".join(archive.namelist())


def test_a_facility_the_person_is_not_a_member_of_is_404(client, site):
    client.force_login(site.person)
    assert client.get(url(site.other.pk)).status_code == 404
    assert client.get(url(999_999)).status_code == 404
    outsider = factories.member(site.other)
    client.force_login(outsider)
    assert client.get(url(site.facility.pk)).status_code == 404
    assert not Activity.objects.filter(verb=Activity.Verb.BULK_DOWNLOADED).exists()


def test_signed_out_people_are_sent_to_sign_in(client, site):
    response = client.get(url(site.facility.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_refused_with_403_where_the_partner_has_not_enabled_it(client, site):
    Facility.objects.filter(pk=site.facility.pk).update(bulk_download_enabled=False)
    client.force_login(site.person)
    response = client.get(url(site.facility.pk, "status=current"))
    assert response.status_code == 403
    assert not response.streaming
    page = response.content.decode()
    assert "Bulk download is not enabled for Riverside Care Home" in page
    assert "Shiftwise Staffing" in page and "mailto:help@shiftwise.example" in page
    assert 'href="/facilities/' in page and "status=current" in page  # back to the table
    assert not Activity.objects.filter(verb=Activity.Verb.BULK_DOWNLOADED).exists()
    assert not Certificate.objects.filter(rendered_at__isnull=False).exists()


def test_recorded_in_activity_with_filters_and_row_count(client, site):
    client.force_login(site.person)
    download(client, site.facility.pk, "q=garcia&sort=name&dir=asc")
    entry = Activity.objects.get(verb=Activity.Verb.BULK_DOWNLOADED)
    assert entry.actor_id == site.person.pk
    assert entry.facility_id == site.facility.pk
    assert entry.partner_id == site.facility.partner_id
    assert entry.detail == {"format": "zip", "filters": "q=garcia&sort=name&dir=asc", "rows": 2}
    assert entry.target.startswith("Riverside-Care-Home_certificates_") and entry.target.endswith(
        ".zip"
    )


def test_zero_matching_rows_give_a_page_saying_so_not_an_empty_archive(client, site):
    client.force_login(site.person)
    response = client.get(url(site.facility.pk, "effective_from=2030-01-01"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Nothing to export: no assignments match these filters" in response.content.decode()
    assert not Activity.objects.filter(verb=Activity.Verb.BULK_DOWNLOADED).exists()


def test_invalid_filters_export_nothing(client, site):
    client.force_login(site.person)
    response = client.get(url(site.facility.pk, "effective_from=2025-02-30"))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not Activity.objects.filter(verb=Activity.Verb.BULK_DOWNLOADED).exists()


def test_the_archive_streams_while_it_is_built(client, site, monkeypatch):
    """The first bytes (the first PDF) leave before later batches are even rendered."""
    monkeypatch.setattr(bulk, "WRITE_SIZE", 1)  # a write per member (default: per megabyte)
    monkeypatch.setattr(pdfs, "RENDER_BATCH", 1)  # rows rendered a batch at a time (500)
    client.force_login(site.person)
    response = client.get(url(site.facility.pk))
    assert response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04")
    assert Certificate.objects.filter(rendered_at__isnull=False).count() == 1
    rest = b"".join(chunks)
    open_zip(first + rest)
    assert Certificate.objects.filter(rendered_at__isnull=False).count() == 5


def test_a_stored_file_that_fails_its_hash_is_left_out_and_noted(client, site):
    bad = documents.ensure_rendered(site.rows["R2"].current_certificate)
    path = default_storage.path(bad.pdf.name)
    with open(path, "r+b") as handle:  # someone altered the stored file
        handle.seek(100)
        handle.write(b"X")
    client.force_login(site.person)
    archive, _ = download(client, site.facility.pk)
    index = read_index(archive)
    row = next(r for r in index if r["Certificate number"] == bad.number)
    assert row["File name"] == "" and row["Note"].startswith("Not included")
    assert row["SHA-256"] == bad.sha256
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 4
    readme = archive.read("README.txt").decode()
    assert "NOT included because their PDF could not be read: 1" in readme


def test_certificates_above_the_buffer_limit_are_streamed_in_chunks(client, site, monkeypatch):
    """A large file is never held whole: checked in a first pass, sent in a second."""
    monkeypatch.setattr(bulk, "BUFFER_LIMIT", 1000)
    monkeypatch.setattr("compliance_hub.certificates.exports.pdfs.CHUNK", 4096)

    def whole_file(*args):
        raise AssertionError("a file above BUFFER_LIMIT was read whole")

    monkeypatch.setattr(bulk, "read_verified", whole_file)
    client.force_login(site.person)
    archive, _ = download(client, site.facility.pk)
    for entry in read_index(archive):
        info = archive.getinfo(entry["File name"])
        assert not info.flag_bits & 0x08  # size and CRC-32 known before the bytes: no descriptor
        certificate = Certificate.objects.get(number=entry["Certificate number"])
        if certificate.status == Certificate.Status.VOID:  # stamped, from the verified bytes
            assert archive.read(info) == copies.stamped_pdf(certificate)
        else:
            assert archive.read(info) == documents.open_pdf(certificate).read()


def test_a_large_file_that_fails_its_hash_is_left_out_too(client, site, monkeypatch):
    """Checked before any of its bytes is sent, like a small one: the archive stays whole."""
    monkeypatch.setattr(bulk, "BUFFER_LIMIT", 1000)
    bad = documents.ensure_rendered(site.rows["R5"].current_certificate)  # the first row
    with open(default_storage.path(bad.pdf.name), "r+b") as handle:
        handle.seek(100)
        handle.write(b"X")
    client.force_login(site.person)
    archive, _ = download(client, site.facility.pk)
    row = next(r for r in read_index(archive) if r["Certificate number"] == bad.number)
    assert row["File name"] == "" and row["Note"].startswith("Not included")
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 4


def test_other_methods_are_refused(client, site):
    client.force_login(site.person)
    assert client.post(url(site.facility.pk)).status_code == 405


def test_assignments_booked_after_the_fixture_are_included_too(client, site):
    """Sixty more rows: more than a table page (50); the archive has all of them."""
    contractor = factories.contractor(site.facility.partner, "Lee", "Many")
    for day in range(1, 61):
        book(
            site.facility, contractor, date(2024, 1, 1).replace(day=1 + day % 28), date(2024, 3, 1)
        )
    client.force_login(site.person)
    archive, _ = download(client, site.facility.pk)
    assert len(read_index(archive)) == 65
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 65
