"""A void or superseded certificate is handed out stamped; the original stays on its own link,
and the verification page knows both files."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse
from pypdf import PdfReader

from compliance_hub.activity.models import Activity
from compliance_hub.certificates import copies, documents, services
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.pdf.stamp import original_sha256
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(media, facility):
    contractor = factories.contractor(facility.partner, first="Zoë", last="Nguyễn")
    a = factories.assignment(facility, contractor, effective=date(2026, 5, 4), end=date(2026, 5, 8))
    a.refresh_from_db()
    return a


@pytest.fixture
def member(client, facility):
    person = factories.member(facility)
    client.force_login(person)
    return person


def pdf_url(kind: str, certificate: Certificate) -> str:
    return reverse(
        f"certificates:{kind}", args=[certificate.assignment.facility_id, certificate.number]
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def page_texts(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


def supersede(assignment) -> Certificate:
    services.save_assignment(
        partner=assignment.partner,
        external_id=assignment.external_id,
        facility=assignment.facility,
        contractor=assignment.contractor,
        effective_date=assignment.effective_date,
        end_date=date(2026, 5, 12),
        description=assignment.description,
    )
    assignment.refresh_from_db()
    return assignment.current_certificate


def test_a_void_certificate_downloads_stamped_on_every_page_and_named_so(
    client, member, assignment
):
    certificate = assignment.current_certificate
    services.cancel_assignment(assignment)
    certificate.refresh_from_db()
    response = client.get(pdf_url("download", certificate))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(rf'filename="COI_[^"]*{certificate.number}-VOID\.pdf"', disposition)
    data = body(response)
    voided = certificate.voided_at
    line = f"VOID since {voided:%b} {voided.day}, {voided.year}, {voided:%H:%M} UTC"
    texts = page_texts(data)
    assert texts and all(f"{line}: the assignment was cancelled" in t for t in texts)
    assert certificate.number in texts[0]
    stored = Certificate.objects.get(pk=certificate.pk)
    assert hashlib.sha256(data).hexdigest() != stored.sha256  # not the issued file
    assert original_sha256(data) == stored.sha256  # which it records
    assert stored.sha256 in texts[-1]  # and states, for a person reading it

    # Shown in the browser: the same stamped copy, inline.
    shown = client.get(pdf_url("view", certificate))
    assert shown["Content-Disposition"].startswith("inline;")
    assert body(shown) == data

    # The activity log says which copy went out.
    copies_sent = [
        (a.verb, a.detail["copy"])
        for a in Activity.objects.filter(target=certificate.number).order_by("id")
    ]
    assert copies_sent == [("downloaded", "stamped"), ("viewed", "stamped")]


def test_the_original_as_issued_is_the_verified_file(client, member, assignment):
    certificate = assignment.current_certificate
    services.cancel_assignment(assignment)
    response = client.get(pdf_url("original", certificate))
    assert response.status_code == 200
    data = body(response)
    stored = Certificate.objects.get(pk=certificate.pk)
    assert hashlib.sha256(data).hexdigest() == stored.sha256
    assert data == documents.read_pdf(stored)
    assert "VOID since" not in " ".join(page_texts(data))
    assert response["Content-Disposition"].endswith(
        f'{certificate.number}-VOID-original-as-issued.pdf"'
    )
    activity = Activity.objects.get(target=certificate.number)
    assert (activity.verb, activity.detail["copy"]) == ("downloaded", "original")


def test_a_superseded_certificate_names_its_successor_on_every_page(client, member, assignment):
    first = assignment.current_certificate
    successor = supersede(assignment)
    response = client.get(pdf_url("download", first))
    assert re.search(rf'{first.number}-SUPERSEDED\.pdf"', response["Content-Disposition"])
    first.refresh_from_db()
    moment = first.superseded_at
    expected = (
        f"SUPERSEDED on {moment:%b} {moment.day}, {moment.year}, {moment:%H:%M} UTC "
        f"by {successor.number}"
    )
    assert all(expected in text for text in page_texts(body(response)))

    # The current certificate is served exactly as issued, under its usual name.
    current = client.get(pdf_url("download", successor))
    data = body(current)
    assert hashlib.sha256(data).hexdigest() == Certificate.objects.get(pk=successor.pk).sha256
    assert "SUPERSEDED" not in current["Content-Disposition"]
    assert current["ETag"] == f'"{Certificate.objects.get(pk=successor.pk).sha256}"'


def test_the_stamped_copy_has_its_own_etag_and_revalidates(client, member, assignment):
    certificate = assignment.current_certificate
    services.cancel_assignment(assignment)
    first = client.get(pdf_url("download", certificate))
    stored = Certificate.objects.get(pk=certificate.pk)
    assert first["ETag"] != f'"{stored.sha256}"'
    again = client.get(pdf_url("download", certificate), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    original = client.get(pdf_url("original", certificate))
    assert original["ETag"] == f'"{stored.sha256}"'
    # A copy cached while the certificate was current is not reused once it is void.
    assert (
        client.get(
            pdf_url("download", certificate), HTTP_IF_NONE_MATCH=original["ETag"]
        ).status_code
        == 200
    )


def test_the_history_page_offers_stamped_copies_and_the_original(client, member, assignment):
    first = assignment.current_certificate
    successor = supersede(assignment)
    url = reverse("certificates:history", args=[assignment.facility_id, assignment.pk])
    page = client.get(url).content.decode()
    original_link = pdf_url("original", first)
    assert f'href="{original_link}"' in page
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Original as issued of certificate " + first.number in text
    assert pdf_url("original", successor) not in page  # current: one file, no stamp


def test_the_verification_page_knows_the_issued_file_and_the_stamped_copy(
    client, member, assignment
):
    certificate = assignment.current_certificate
    services.cancel_assignment(assignment)
    stamped = body(client.get(pdf_url("download", certificate)))
    stored = Certificate.objects.get(pk=certificate.pk)
    page = client.get(reverse("certificates:verify", args=[stored.number, stored.check_code]))
    html = page.content.decode()
    assert f'data-sha256="{stored.sha256}"' in html
    assert f'data-stamped-sha256="{hashlib.sha256(stamped).hexdigest()}"' in html
    assert 'data-no-longer-valid="void"' in html and 'data-tone="error"' in html


def test_the_stamped_copys_hash_is_known_without_a_download_and_is_stable(client, assignment):
    certificate = assignment.current_certificate
    supersede(assignment)
    stored = Certificate.objects.get(pk=certificate.pk)
    page = client.get(reverse("certificates:verify", args=[stored.number, stored.check_code]))
    match = re.search(r'data-stamped-sha256="([0-9a-f]{64})"', page.content.decode())
    assert match and 'data-tone="warning"' in page.content.decode()
    stored = Certificate.objects.get(pk=certificate.pk)
    assert match.group(1) == hashlib.sha256(copies.stamped_pdf(stored)).hexdigest()


def test_a_current_certificates_verification_page_has_no_stamped_copy(client, assignment):
    certificate = documents.ensure_rendered(assignment.current_certificate)
    page = client.get(
        reverse("certificates:verify", args=[certificate.number, certificate.check_code])
    ).content.decode()
    assert "data-stamped-sha256" not in page and "data-no-longer-valid" not in page
