"""``/certificates/{number}``: metadata from the frozen snapshot, and the PDF."""

import hashlib

import pytest

from compliance_hub.activity.models import Activity
from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def number(api):
    api.put("/facilities/FAC-1", {"name": "St Mary"})
    api.put("/contractors/C-1", {"first_name": "Jane", "last_name": "Doe"})
    response = api.put(
        "/assignments/A-1",
        {
            "facility": "FAC-1",
            "contractor": "C-1",
            "effective_date": "2026-03-01",
            "end_date": "2026-03-03",
            "description": "Nights",
        },
    )
    return response.json()["current_certificate"]["number"]


def test_metadata_states_the_snapshot(api, number):
    response = api.get(f"/certificates/{number}")
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == number and data["status"] == "issued"
    assert (
        data["assignment"] == "A-1" and data["facility"] == "FAC-1" and data["contractor"] == "C-1"
    )
    assert data["insured_name"] == "Jane Doe" and data["holder_name"] == "St Mary"
    assert (data["effective_date"], data["end_date"]) == ("2026-03-01", "2026-03-03")
    assert data["supersedes"] is None and data["superseded_by"] is None
    assert data["sha256"] is None and data["size"] is None  # not rendered yet
    certificate = Certificate.objects.get(number=number)
    assert data["verify_url"].startswith("http://testserver/")
    assert number in data["verify_url"] and certificate.check_code in data["verify_url"]


def test_metadata_keeps_what_was_issued_after_a_rename(api, number):
    api.put("/contractors/C-1", {"first_name": "Jane", "last_name": "Smith"})
    assert api.get(f"/certificates/{number}").json()["insured_name"] == "Jane Doe"


def test_lower_case_number_is_found(api, number):
    assert api.get(f"/certificates/{number.lower()}").status_code == 200


def test_pdf_download(api, partner, number):
    response = api.get(f"/certificates/{number}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    certificate = Certificate.objects.get(number=number)
    filename = documents.pdf_filename(certificate)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    meta = api.get(f"/certificates/{number}").json()
    assert meta["sha256"] == hashlib.sha256(data).hexdigest() and meta["size"] == len(data)
    again = b"".join(api.get(f"/certificates/{number}/pdf").streaming_content)
    assert again == data
    download = Activity.objects.filter(verb=Activity.Verb.DOWNLOADED, target=number).first()
    assert download is not None and download.actor_label.startswith("API key “tests” (chk_live_")
    assert download.facility.external_id == "FAC-1"


def test_superseded_certificate_stays_available_with_links(api, number):
    api.put(
        "/assignments/A-1",
        {
            "facility": "FAC-1",
            "contractor": "C-1",
            "effective_date": "2026-03-01",
            "end_date": "2026-03-04",
        },
    )
    old = api.get(f"/certificates/{number}").json()
    assert old["status"] == "superseded" and old["superseded_at"]
    new = api.get(f"/certificates/{old['superseded_by']}").json()
    assert new["supersedes"] == number and new["end_date"] == "2026-03-04"
    assert api.get(f"/certificates/{number}/pdf").status_code == 200


def test_unknown_or_malformed_number(api, number):
    assert_problem(api.get("/certificates/CH-0000-0000"), 404)
    assert_problem(api.get("/certificates/CH-0000-0000/pdf"), 404)
    assert_problem(api.get("/certificates/not_a_number!"), 422, "number")
