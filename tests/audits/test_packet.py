"""The audit packet: report as PDF/CSV/XLSX, certificate list, certificate PDFs where enabled."""

import csv
import hashlib
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from compliance_hub.activity.models import Activity
from compliance_hub.audits.reports.rows import HEADERS
from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from tests import factories
from tests.audits.helpers import run_schedule

pytestmark = pytest.mark.django_db

REPORT_MEMBERS = [
    "README.txt",
    "reconciliation-report.csv",
    "reconciliation-report.xlsx",
    "reconciliation-report.pdf",
]


@pytest.fixture
def reconciliation(facility, person):
    zoe = factories.contractor(facility.partner, "Zoë", "Adams")
    bob = factories.contractor(facility.partner, "Bob", "Stone")
    factories.assignment(facility, zoe, date(2026, 3, 1), date(2026, 3, 10))
    factories.assignment(facility, zoe, date(2026, 3, 11), date(2026, 3, 20))
    factories.assignment(facility, bob, date(2026, 3, 1), date(2026, 3, 31))
    factories.assignment(facility, bob, date(2026, 6, 1), date(2026, 6, 2))  # never cited
    rows = [
        ["Contractor", "Service from", "Service to", "Amount"],
        ["Zoe Adams", "2026-03-05", "2026-03-15", "$1,100.00"],
        ["Bob Stone", "2026-03-12", "2026-03-12", "70"],
        ["Bob Stone", "2026-04-12", "2026-04-13", "(5.00)"],
        ["@Who Ever", "2026-03-12", "", "1"],
        ["-Zoe Adams", "2026-03-12", "", "1"],
    ]
    return run_schedule(facility, person, rows)


def download(client, facility, reconciliation):
    response = client.get(reverse("audits:packet", args=[facility.pk, reconciliation.pk]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="audit-packet-{reconciliation.pk}-'
        f'{reconciliation.created_at:%Y%m%d}.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    return archive


def cited(reconciliation):
    numbers = set()
    for row in reconciliation.rows.filter(status__in=["covered", "partial"]):
        numbers |= {c["number"] for c in row.certificates}
    return Certificate.objects.filter(number__in=numbers).order_by("number")


def test_without_bulk_download_the_packet_has_the_report_and_numbers_only(
    signed_in, facility, reconciliation
):
    archive = download(signed_in, facility, reconciliation)
    assert archive.namelist() == [*REPORT_MEMBERS, "certificates.csv"]
    readme = archive.read("README.txt").decode()
    assert "Certificate PDFs are not in this packet: bulk download is not enabled" in readme
    listed = list(csv.reader(io.StringIO(archive.read("certificates.csv").decode("utf-8-sig"))))
    assert [r[0] for r in listed[1:]] == [c.number for c in cited(reconciliation)]
    assert all(r[6] == "" for r in listed[1:])
    page = signed_in.get(reverse("audits:result", args=[facility.pk, reconciliation.pk]))
    assert "the staffing partner enables it for a facility" in page.content.decode()


def test_with_bulk_download_every_cited_certificate_is_included_byte_for_byte(
    signed_in, facility, reconciliation
):
    facility.bulk_download_enabled = True
    facility.save()
    archive = download(signed_in, facility, reconciliation)
    certificates = list(cited(reconciliation))
    assert len(certificates) == 3  # Zoë's two, Bob's March one; not Bob's June one
    pdfs = [n for n in archive.namelist() if n.startswith("certificates/")]
    expected = {f"certificates/{documents.pdf_filename(c)}": c for c in certificates}
    assert sorted(pdfs) == sorted(expected)
    listed = list(csv.reader(io.StringIO(archive.read("certificates.csv").decode("utf-8-sig"))))
    by_file = {r[6]: r for r in listed[1:]}
    for name, certificate in expected.items():
        with documents.open_pdf(certificate) as handle:
            stored = handle.read()
        assert archive.read(name) == stored
        certificate.refresh_from_db()
        assert by_file[name][0] == certificate.number
        assert by_file[name][5] == hashlib.sha256(stored).hexdigest() == certificate.sha256


def test_report_csv_equals_the_result_rows(signed_in, facility, reconciliation):
    archive = download(signed_in, facility, reconciliation)
    text = archive.read("reconciliation-report.csv").decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == list(HEADERS)
    saved = list(reconciliation.rows.order_by("line"))
    assert [int(r[0]) for r in rows[1:]] == [s.line for s in saved]
    for line, row in zip(rows[1:], saved, strict=True):
        assert line[1] == row.status_label
        assert line[7] == (row.work_from.isoformat() if row.work_from else "")
        assert line[10] == (f"{row.amount:.2f}" if row.amount is not None else "")
        assert line[11] == "; ".join(c["number"] for c in row.certificates)
        assert line[13] == row.note
    # Formula injection is neutralised; our own numbers are not touched.
    assert rows[4][2] == "'@Who Ever"
    assert rows[5][2] == "'-Zoe Adams"
    assert rows[3][10] == "-5.00"


def test_report_xlsx_has_real_dates_and_numbers(signed_in, facility, reconciliation):
    archive = download(signed_in, facility, reconciliation)
    book = load_workbook(io.BytesIO(archive.read("reconciliation-report.xlsx")))
    assert book.sheetnames == ["Summary", "Rows"]
    sheet = book["Rows"]
    header = [c.value for c in sheet[1]]
    assert header == list(HEADERS)
    first = [c.value for c in sheet[2]]
    assert first[0] == 2
    assert first[1] == "Covered"  # two adjacent certificates cover the whole period
    assert first[7] == datetime(2026, 3, 5)
    assert first[8] == datetime(2026, 3, 15)
    assert first[10] == 1100.0
    assert sheet.cell(row=2, column=8).number_format == "yyyy-mm-dd"
    assert sheet.cell(row=5, column=3).value == "'@Who Ever"
    summary = {r[0]: r[1:] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["All payments"] == (5, 1167.0)


def test_report_pdf_has_the_summary_and_every_row(signed_in, facility, reconciliation):
    archive = download(signed_in, facility, reconciliation)
    reader = PdfReader(io.BytesIO(archive.read("reconciliation-report.pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Payment reconciliation" in text
    assert facility.name in text
    assert "Not covered" in text
    assert "Zoe Adams" in text and "Zoë Adams" in text
    for certificate in cited(reconciliation):
        assert certificate.number in text


def test_each_download_is_recorded(signed_in, facility, person, reconciliation):
    download(signed_in, facility, reconciliation)
    activity = Activity.objects.get(verb=Activity.Verb.AUDIT_PACKET)
    assert (activity.actor, activity.facility, activity.target) == (
        person,
        facility,
        f"reconciliation {reconciliation.pk}",
    )
    assert activity.detail == {
        "reconciliation": reconciliation.pk,
        "certificates": 3,
        "certificate_pdfs_included": False,
    }


def test_readme_says_when_cited_certificates_changed_since_the_run(
    signed_in, facility, reconciliation
):
    from compliance_hub.certificates import services as certificate_services

    certificate = cited(reconciliation).first()
    certificate_services.cancel_assignment(certificate.assignment)
    archive = download(signed_in, facility, reconciliation)
    readme = archive.read("README.txt").decode()
    assert "Note: 1 of the 3 certificates have been superseded or voided since" in readme
    listed = list(csv.reader(io.StringIO(archive.read("certificates.csv").decode("utf-8-sig"))))
    assert [r[4] for r in listed[1:] if r[0] == certificate.number] == ["Void"]


TRIGGERS = set("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
NASTY = st.lists(
    st.sampled_from([*sorted(TRIGGERS | BIDI), *"aZ 'é,\n", "SUM(A1)"]), min_size=1, max_size=8
).map("".join)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(NASTY, min_size=5, max_size=5))
def test_no_report_cell_is_a_formula_and_no_bidi_control_is_shown(
    signed_in, facility, reconciliation, texts
):
    """Text from the uploaded schedule (and older rows) in every part of the packet: the CSV
    and XLSX cells never start as a formula, and no part carries a bidi control."""
    name, email, contractor_id, note, file_name = texts
    reconciliation.rows.update(
        given_name=name, given_email=email, given_contractor_id=contractor_id, note=note
    )
    type(reconciliation).objects.filter(pk=reconciliation.pk).update(
        file_name=file_name, created_by_label=name
    )
    archive = download(signed_in, facility, reconciliation)
    report = archive.read("reconciliation-report.csv").decode("utf-8-sig")
    book = load_workbook(io.BytesIO(archive.read("reconciliation-report.xlsx")))
    text_columns = (2, 3, 4, 5, 13)  # as in the file, matched contractor, explanation
    rows = list(csv.reader(io.StringIO(report, newline="")))
    cells = [row[i] for row in rows for i in text_columns]
    cells += [
        c.value for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "s"
    ]
    listing = archive.read("certificates.csv").decode()
    cells += [c for row in csv.reader(io.StringIO(listing, newline="")) for c in row]
    for cell in cells:
        assert cell[:1] not in TRIGGERS and BIDI.isdisjoint(cell), ascii(cell)
    reader = PdfReader(io.BytesIO(archive.read("reconciliation-report.pdf")))
    shown = [page.extract_text() for page in reader.pages]
    shown += [reader.metadata.title or "", archive.read("README.txt").decode()]
    for text in shown:
        assert BIDI.isdisjoint(text), ascii(text)


def _readme_members(readme: str) -> list[str]:
    """The member names the README says the packet holds (its "What this packet holds")."""
    block = readme.split("What this packet holds, in this order:", 1)[1].split("\r\n\r\n")[0]
    return [line.split()[0] for line in block.strip().splitlines()]


@pytest.mark.parametrize("bulk", [False, True])
def test_the_readme_lists_exactly_the_members_of_the_zip(signed_in, facility, reconciliation, bulk):
    facility.bulk_download_enabled = bulk
    facility.save()
    archive = download(signed_in, facility, reconciliation)
    readme = archive.read("README.txt").decode()
    listed = _readme_members(readme)
    names = archive.namelist()
    pdfs = [n for n in names if n.startswith("certificates/")]
    expected = [n for n in names if not n.startswith("certificates/")]
    if pdfs:
        expected.insert(expected.index("certificates.csv"), "certificates/")
    assert listed == expected
    assert bool(pdfs) is bulk
    if bulk:
        assert re.search(rf"certificates/\s+{len(pdfs)} certificate PDF\(s\)", readme)
        assert "not in this packet" not in readme
    else:
        assert "Certificate PDFs are not in this packet" in readme
        assert "certificates/" not in readme


def _pdf_pages(archive) -> list[str]:
    reader = PdfReader(io.BytesIO(archive.read("reconciliation-report.pdf")))
    return [page.extract_text() for page in reader.pages]


def test_the_pdf_first_page_says_who_what_how_and_the_totals(
    signed_in, facility, person, reconciliation
):
    from compliance_hub.audits import services

    services.set_estimate(
        reconciliation, payroll_share=Decimal("90"), class_rate=Decimal("4"), person=person
    )
    pages = _pdf_pages(download(signed_in, facility, reconciliation))
    first = " ".join(pages[0].split())
    for text in (
        facility.name,
        facility.partner.name,
        "2026-03-05 to 2026-04-13",
        person.email,
        "Void certificates",
        "superseded certificates never count",
        "Not covered",
        "Exposure estimate",
        "Class rate per $100 of payroll",
        f"page 1 of {len(pages)}",
    ):
        assert text in first, text
    assert pages[1].startswith("Exceptions")
    exceptions = pages[1]
    assert "Bob Stone" in exceptions and "@Who Ever" in exceptions
    assert "Zoe Adams" not in exceptions.split("All payment rows")[0].replace("-Zoe Adams", "")
    whole = "\n".join(pages)
    assert whole.index("Certificates relied on") < whole.index("All payment rows, in file order")
    for certificate in cited(reconciliation):
        assert certificate.sha256 in whole.replace("\n", "")
    assert all(f"of {len(pages)}" in page for page in pages)


def test_long_texts_wrap_in_the_pdf_and_nothing_is_cut_off(signed_in, facility, reconciliation):
    words = [f"Candidate{i} Lastname{i} (cand{i}@example.com): no certificate" for i in range(40)]
    long_note = "; ".join(words) + "."
    reconciliation.rows.filter(line=5).update(
        status="ambiguous", note=long_note, given_name="A" * 90 + " Verylongname"
    )
    pages = _pdf_pages(download(signed_in, facility, reconciliation))
    text = "\n".join(pages)
    at = 0
    for word in long_note.split():  # every word, in order (a long row may cross a page)
        at = text.index(word, at) + len(word)
    flat = text.replace("\n", "").replace(" ", "")
    assert ("A" * 90 + "Verylongname") in flat
    assert "…" not in "".join(pages)


def test_a_5000_row_schedule_puts_the_exceptions_first(signed_in, facility, person):
    zoe = factories.contractor(facility.partner, "Zoë", "Adams")
    factories.assignment(facility, zoe, date(2026, 1, 1), date(2026, 12, 31))
    rows = [["Contractor", "Work date", "Amount"]]
    rows += [
        ["Zoe Adams", f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", str(10 + i)] for i in range(4990)
    ]
    rows += [["Nobody Here", "2026-03-05", "10"] for _ in range(10)]
    reconciliation = run_schedule(facility, person, rows)
    pages = _pdf_pages(download(signed_in, facility, reconciliation))
    assert pages[1].startswith("Exceptions")
    start = next(i for i, page in enumerate(pages) if "All payment rows, in file order" in page)
    assert start <= 3  # summary, exceptions, certificate index: then the long list
    assert "Nobody Here" in pages[1]
