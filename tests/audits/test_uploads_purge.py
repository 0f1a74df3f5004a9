"""Uploads that are never run are deleted after a day; the command does it on demand too."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from compliance_hub.audits import services
from compliance_hub.audits.models import PendingUpload
from tests.audits.helpers import csv_bytes

pytestmark = pytest.mark.django_db

DATA = csv_bytes([["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]])


def test_stale_uploads_go_fresh_ones_stay(facility, person):
    old = services.keep_upload(facility, person, "old.csv", DATA)
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = services.keep_upload(facility, person, "new.csv", DATA)  # purges on the way
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_purge_command(facility, person):
    old = services.keep_upload(facility, person, "old.csv", DATA)
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    out = StringIO()
    call_command("purge-audit-uploads", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 stale upload(s)."
    assert PendingUpload.objects.count() == 0


def test_the_upload_keeps_the_parsed_cells_until_the_run(facility, person):
    upload = services.keep_upload(facility, person, "s.csv", DATA)
    upload.refresh_from_db()
    assert (upload.file_name, upload.row_count, upload.encoding) == ("s.csv", 1, "UTF-8")
    assert services.table_of(upload).rows == [(2, ["Jane Doe", "2026-03-05"])]
