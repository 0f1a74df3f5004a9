"""A void certificate never leaves the portal looking current: downloaded in a real browser it
is stamped VOID on every page and named so; the history page offers the original as issued,
and the verification page's compare box knows both files."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from compliance_hub.certificates import documents, services
from compliance_hub.certificates.models import Certificate
from tests.browser import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def portal(transactional_db) -> data.Portal:
    return data.portal()


def pdf_pages(path: str) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages]


def test_a_void_certificate_downloads_stamped_and_the_history_offers_the_original(hub, portal):
    assignment = portal.rows["cara"]
    certificate = assignment.current_certificate
    services.cancel_assignment(assignment)
    voided = Certificate.objects.get(pk=certificate.pk).voided_at
    stamp_line = (
        f"VOID since {voided:%b} {voided.day}, {voided.year}, {voided:%H:%M} UTC: "
        "the assignment was cancelled"
    )

    page = hub.new_page(session_of=portal.pat)
    page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    row = page.locator("table.cert-table tbody tr").filter(has_text="Cara Diaz")
    expect(row.get_by_text("Void", exact=True)).to_be_visible()
    with page.expect_download() as downloaded:
        row.get_by_role("link", name=re.compile("^Download certificate")).click()
    download = downloaded.value
    assert download.suggested_filename.endswith(f"{certificate.number}-VOID.pdf")
    assert download.suggested_filename.startswith("COI_cara-diaz_2026-02-20_2026-03-04_")
    pages = pdf_pages(download.path())
    assert pages and all(stamp_line in text for text in pages), pages
    with open(download.path(), "rb") as f:
        stamped = f.read()
    stored = Certificate.objects.get(pk=certificate.pk)
    assert hashlib.sha256(stamped).hexdigest() != stored.sha256

    # The history page: the void certificate, its stamped copy and, on its own clearly
    # labelled link, the original as issued, byte for byte the verified file.
    row.get_by_role("link", name=re.compile("^History")).click()
    expect(page.get_by_role("heading", name="Cara Diaz")).to_be_visible()
    hub.check_a11y(page, "certificate history with a void certificate")
    original_link = page.get_by_role(
        "link", name=f"Original as issued of certificate {certificate.number} (PDF, unstamped)"
    )
    expect(original_link).to_be_visible()
    with page.expect_download() as downloaded:
        original_link.click()
    original = downloaded.value
    assert original.suggested_filename.endswith(f"{certificate.number}-VOID-original-as-issued.pdf")
    with open(original.path(), "rb") as f:
        issued = f.read()
    assert issued == documents.read_pdf(stored)
    assert hashlib.sha256(issued).hexdigest() == stored.sha256
    assert not any("VOID since" in text for text in pdf_pages(original.path()))

    # The verification page's compare box: the issued file of a certificate no longer valid,
    # in the status colour (not green); the stamped copy recognised as such.
    verify = hub.new_page()
    verify.goto(f"/v/{stored.number}/{stored.check_code}/")
    expect(verify.get_by_text("Genuine, but void.")).to_be_visible()
    chooser = verify.get_by_label("PDF file to compare")
    result = verify.locator(".verify-compare-result")
    chooser.set_input_files(original.path())
    expect(result).to_contain_text(
        "this is the issued file of a certificate that is no longer valid"
    )
    expect(result).to_have_class(re.compile(r"\bmessage-error\b"))
    expect(result).not_to_have_class(re.compile(r"message-success"))
    chooser.set_input_files(download.path())
    expect(result).to_contain_text("is a copy of this certificate stamped VOID")
    expect(result).to_contain_text("no longer valid")
    expect(result).to_have_class(re.compile(r"\bmessage-error\b"))
    hub.check_a11y(verify, "verification page of a void certificate, stamped copy compared")


def test_a_superseded_copy_is_recognised_in_the_warning_colour(hub, portal):
    assignment = portal.rows["ann"]
    first = assignment.current_certificate
    services.save_assignment(
        partner=assignment.partner,
        external_id=assignment.external_id,
        facility=assignment.facility,
        contractor=assignment.contractor,
        effective_date=assignment.effective_date,
        end_date=assignment.end_date.replace(day=12),
        description=assignment.description,
    )
    page = hub.new_page(session_of=portal.pat)
    page.goto(f"/facilities/{portal.alder.pk}/assignments/{assignment.pk}/")
    row = page.locator("table.history-table tbody tr").filter(has_text=first.number)
    with page.expect_download() as downloaded:
        row.get_by_role("link", name=re.compile(f"^Download certificate {first.number}")).click()
    copy = downloaded.value
    assert copy.suggested_filename.endswith(f"{first.number}-SUPERSEDED.pdf")
    assert all("SUPERSEDED on" in text for text in pdf_pages(copy.path()))

    stored = Certificate.objects.get(pk=first.pk)
    verify = hub.new_page()
    verify.goto(f"/v/{stored.number}/{stored.check_code}/")
    verify.get_by_label("PDF file to compare").set_input_files(copy.path())
    result = verify.locator(".verify-compare-result")
    expect(result).to_contain_text("is a copy of this certificate stamped SUPERSEDED")
    expect(result).to_have_class(re.compile(r"\bmessage-warning\b"))
