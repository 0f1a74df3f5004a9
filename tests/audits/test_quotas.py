"""Uploads waiting to be run are limited per person and per facility (count and bytes), and
uploads per hour per person; a refused upload says so with the figures and stores nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance_hub.audits import services
from compliance_hub.audits.models import PendingUpload
from tests import factories
from tests.audits.helpers import csv_bytes, upload_file

pytestmark = pytest.mark.django_db

DATA = csv_bytes([["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]])


def _refusal(client, facility, data=DATA) -> str:
    before = PendingUpload.objects.count()
    response = upload_file(client, facility, data)
    assert response.status_code == 429
    assert PendingUpload.objects.count() == before  # nothing stored
    return response.context["form"].errors["schedule"][0]


def test_a_person_may_keep_five_uploads_waiting(signed_in, facility, person):
    for _ in range(5):
        assert upload_file(signed_in, facility, DATA).status_code == 302
    assert _refusal(signed_in, facility) == (
        "You have 5 uploads waiting to be run; the limit is 5. Run or discard one of yours "
        "(Audits page) first, or wait: uploads not run expire after 24 hours."
    )
    # Discarding one (or its expiry) makes room again.
    PendingUpload.objects.filter(person=person).first().delete()
    assert upload_file(signed_in, facility, DATA).status_code == 302
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert upload_file(signed_in, facility, DATA).status_code == 302
    assert PendingUpload.objects.count() == 1


def test_a_person_may_keep_limited_bytes_waiting(signed_in, facility, monkeypatch):
    monkeypatch.setattr(services, "PENDING_BYTES_PER_PERSON", 1024 * 1024)
    big = DATA + b"John Roe,2026-03-06\r\n" * 40_000  # 0.8 MB
    assert upload_file(signed_in, facility, big).status_code == 302
    assert _refusal(signed_in, facility, big) == (
        "You have 0.8 MB of uploads waiting to be run and this file is 0.8 MB; the limit is "
        "1 MB. Run or discard one of yours (Audits page) first, or wait: uploads not run "
        "expire after 24 hours."
    )


def test_a_facility_may_keep_twenty_uploads_waiting(client, facility):
    for _ in range(4):
        colleague = factories.member(facility)
        for _ in range(5):
            services.keep_upload(facility, colleague, "s.csv", DATA)
    client.force_login(factories.member(facility))
    assert _refusal(client, facility) == (
        "This facility has 20 uploads waiting to be run; the limit is 20. Ask your colleagues "
        "to run or discard theirs, or wait: uploads not run expire after 24 hours."
    )
    # Another facility's uploads are not counted.
    other = factories.facility(facility.partner)
    assert upload_file(client, other, DATA).status_code == 404  # not a member there
    client.force_login(factories.member(other))
    assert upload_file(client, other, DATA).status_code == 302


def test_uploads_per_hour_are_limited_refused_ones_included(signed_in, facility):
    for _ in range(10):
        assert upload_file(signed_in, facility, b"%PDF-1.4").status_code == 400
    for _ in range(5):
        assert upload_file(signed_in, facility, DATA).status_code == 302
    PendingUpload.objects.all().delete()
    for _ in range(5):
        assert upload_file(signed_in, facility, DATA).status_code == 302
    PendingUpload.objects.all().delete()
    message = _refusal(signed_in, facility)
    assert message.startswith("You have uploaded 20 schedules within the hour, the limit. ")
    assert message.endswith(" minutes.")
