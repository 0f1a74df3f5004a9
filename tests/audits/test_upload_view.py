"""The upload page: CSV or XLSX in, the column mapping next; bad files explained, nothing kept."""

import pytest
from django.urls import reverse

from compliance_hub.audits.models import PendingUpload
from tests.audits.helpers import csv_bytes, upload_file, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_upload_page_explains_formats_and_limits(signed_in, facility):
    response = signed_in.get(reverse("audits:upload", args=[facility.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "CSV or XLSX, up to 20 MB and 50,000 rows" in html


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (csv_bytes([["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]), "pay.csv"),
        (xlsx_bytes([["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]), "pay.xlsx"),
        # The content decides, not the name.
        (xlsx_bytes([["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]), "pay.csv"),
    ],
)
def test_good_files_go_on_to_the_mapping(signed_in, facility, person, data, name):
    response = upload_file(signed_in, facility, data, name)
    upload = PendingUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:mapping", args=[facility.pk, upload.token])
    assert (upload.person, upload.facility, upload.file_name, upload.row_count) == (
        person,
        facility,
        name,
        1,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"Contractor,Work date\r\n",
            "The file has a header row (row 1) but no payment rows below it.",
        ),
        (b"%PDF-1.4 ...", "This is a PDF. Upload the schedule of payments as CSV or XLSX."),
        (
            b"Contractor,Work date\r\nJane,2026-03-05\r\nJo\x02,2026-03-06\r\n",
            "Row 3: the file contains characters that are not text",
        ),
    ],
)
def test_bad_files_are_explained_and_nothing_is_kept(signed_in, facility, data, message):
    response = upload_file(signed_in, facility, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert PendingUpload.objects.count() == 0


def test_missing_file_is_a_field_error(signed_in, facility):
    response = signed_in.post(reverse("audits:upload", args=[facility.pk]), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_file_over_20_mb_is_refused_while_it_arrives(signed_in, facility):
    data = b"Contractor,Work date\r\n" + b"x" * (20 * 1024 * 1024)
    response = upload_file(signed_in, facility, data)
    assert response.status_code == 413
    assert "The file is larger than the 20 MB limit." in response.content.decode()
    assert PendingUpload.objects.count() == 0


def test_upload_needs_the_csrf_token(client, facility, person):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    response = upload_file(
        strict, facility, csv_bytes([["Contractor", "Work date"], ["J", "2026-03-05"]])
    )
    assert response.status_code == 403
    assert PendingUpload.objects.count() == 0
