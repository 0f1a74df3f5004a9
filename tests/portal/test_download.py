"""Viewing and downloading one certificate PDF: scope, headers, bytes, caching, activity."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.certificates import documents, services
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.views.download import content_disposition
from compliance_hub.facilities.models import Membership
from tests import factories
from tests.portal.conftest import book

pytestmark = pytest.mark.django_db


def cert_url(kind: str, facility_id: int, number: str) -> str:
    return reverse(f"certificates:{kind}", kwargs={"facility_id": facility_id, "number": number})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(("kind", "disposition"), [("view", "inline"), ("download", "attachment")])
def test_serves_the_stored_pdf_with_headers(client, roster, kind, disposition):
    certificate = roster.rows["A3"].current_certificate
    client.force_login(roster.person)
    response = client.get(cert_url(kind, roster.facility.pk, certificate.number))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = body(response)
    certificate.refresh_from_db()
    assert data == documents.open_pdf(certificate).read()
    assert data.startswith(b"%PDF")
    filename = documents.pdf_filename(certificate)
    assert response["Content-Disposition"] == f'{disposition}; filename="{filename}"'
    assert "zoe" in filename.lower() and certificate.number in filename
    assert "no-store" in response["Cache-Control"]  # not kept after sign-out (issue 16)
    assert response["ETag"] == f'"{certificate.sha256}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert int(response["Content-Length"]) == len(data) == certificate.size


@pytest.mark.parametrize(
    ("kind", "verb"), [("view", Activity.Verb.VIEWED), ("download", Activity.Verb.DOWNLOADED)]
)
def test_each_view_and_download_is_recorded(client, roster, kind, verb):
    certificate = roster.rows["A1"].current_certificate
    client.force_login(roster.person)
    body(client.get(cert_url(kind, roster.facility.pk, certificate.number)))
    entry = Activity.objects.get(verb=verb)
    assert entry.actor_id == roster.person.pk
    assert entry.facility_id == roster.facility.pk
    assert entry.partner_id == roster.facility.partner_id
    assert entry.target == certificate.number
    assert entry.detail["assignment"] == roster.rows["A1"].pk


def test_a_repeat_request_with_the_etag_is_304(client, roster):
    certificate = roster.rows["A2"].current_certificate
    client.force_login(roster.person)
    url = cert_url("view", roster.facility.pk, certificate.number)
    etag = client.get(url)["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "no-store" in again["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH='"0000"').status_code == 200
    views = Activity.objects.filter(verb=Activity.Verb.VIEWED).order_by("id")
    assert [v.detail.get("not_modified", False) for v in views] == [False, True, False]


def test_head_is_answered_without_recording_a_view(client, roster):
    certificate = roster.rows["A2"].current_certificate
    client.force_login(roster.person)
    response = client.head(cert_url("download", roster.facility.pk, certificate.number))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not Activity.objects.filter(verb=Activity.Verb.DOWNLOADED).exists()
    assert (
        client.post(cert_url("download", roster.facility.pk, certificate.number)).status_code == 405
    )


def test_superseded_and_void_certificates_are_served_by_number(client, roster):
    a = roster.rows["A2"]
    first = a.current_certificate
    services.save_assignment(
        partner=roster.facility.partner,
        external_id=a.external_id,
        facility=roster.facility,
        contractor=a.contractor,
        effective_date=date(2025, 1, 2),
        end_date=date(2025, 1, 10),
        description="Night shift",
    )
    first.refresh_from_db()
    assert first.status == Certificate.Status.SUPERSEDED
    void = roster.rows["A6"].current_certificate
    void.refresh_from_db()
    assert void.status == Certificate.Status.VOID
    client.force_login(roster.person)
    for number in (first.number, void.number, first.number.lower()):
        response = client.get(cert_url("download", roster.facility.pk, number))
        assert response.status_code == 200
        assert body(response).startswith(b"%PDF")


def test_foreign_or_guessed_certificates_are_404(client, roster):
    mine = roster.rows["A1"].current_certificate.number
    other_facility_number = (
        Certificate.objects.filter(assignment__facility=roster.other).values_list(
            "number", flat=True
        )
    ).get()
    stranger_facility = factories.facility()
    stranger_number = factories.assignment(stranger_facility).current_certificate.number
    client.force_login(roster.person)
    for kind in ("view", "download"):
        cases = [
            (roster.facility.pk, other_facility_number),  # same partner, not my facility's
            (roster.facility.pk, stranger_number),  # another partner's facility
            (roster.facility.pk, "CH-0000-0000"),  # a guess
            (roster.other.pk, other_facility_number),  # a facility I am not a member of
            (roster.other.pk, mine),  # my number under another facility
            (stranger_facility.pk, stranger_number),
            (999999999999999999, mine),
        ]
        for facility_id, number in cases:
            response = client.get(cert_url(kind, facility_id, number))
            assert response.status_code == 404, (kind, facility_id, number)
    assert not Activity.objects.filter(verb__in=["viewed", "downloaded"]).exists()


def test_a_number_of_my_other_facility_is_404_under_this_one(client, roster):
    factories.member(roster.other, roster.person)
    other_number = Certificate.objects.get(assignment__facility=roster.other).number
    client.force_login(roster.person)
    assert client.get(cert_url("view", roster.facility.pk, other_number)).status_code == 404
    assert client.get(cert_url("view", roster.other.pk, other_number)).status_code == 200


def test_revoked_membership_is_404(client, roster):
    number = roster.rows["A1"].current_certificate.number
    client.force_login(roster.person)
    assert client.get(cert_url("view", roster.facility.pk, number)).status_code == 200
    Membership.objects.filter(person=roster.person).update(revoked_at=timezone.now())
    assert client.get(cert_url("view", roster.facility.pk, number)).status_code == 404
    assert client.get(cert_url("download", roster.facility.pk, number)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, roster):
    number = roster.rows["A1"].current_certificate.number
    response = client.get(cert_url("download", roster.facility.pk, number))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_non_ascii_names_get_an_ascii_fallback_and_utf8_name(client, db):
    facility = factories.facility()
    person = factories.member(facility)
    zoe = factories.contractor(facility.partner, "Zoë", "Łukasiewicz")
    certificate = book(facility, zoe, date(2025, 1, 2), date(2025, 1, 3)).current_certificate
    client.force_login(person)
    response = client.get(cert_url("download", facility.pk, certificate.number))
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="')
    header.encode("ascii")  # the header itself is always ASCII
    assert "2025-01-02" in header and certificate.number in header


def test_content_disposition_follows_rfc_6266():
    assert content_disposition("inline", "COI_ann-lee.pdf") == 'inline; filename="COI_ann-lee.pdf"'
    header = content_disposition("attachment", 'COI_Zoë "x";.pdf')
    assert header == (
        "attachment; filename=\"COI_Zoe_x.pdf\"; filename*=UTF-8''COI_Zo%C3%AB%20%22x%22%3B.pdf"
    )
    assert content_disposition("attachment", "日本.pdf").startswith(
        'attachment; filename="certificate.pdf"; filename*=UTF-8'
    )
