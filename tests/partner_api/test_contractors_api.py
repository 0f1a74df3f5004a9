"""``/contractors``: upsert, get, list; a rename reaches the facility table, not certificates."""

import pytest

from compliance_hub.certificates.models import Assignment, Certificate, Contractor
from tests import factories
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db

BODY = {"first_name": "Zoë", "last_name": "O'Neil", "email": "zoe@example.com"}


def test_put_creates_unchanged_updated(api, partner):
    assert api.put("/contractors/C-1", BODY).status_code == 201
    again = api.put("/contractors/C-1", BODY)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    moved = api.put("/contractors/C-1", {**BODY, "address": {"city": "Dayton"}})
    assert moved.json()["outcome"] == "updated"
    assert moved.json()["address"]["city"] == "Dayton"
    contractor = Contractor.objects.get(partner=partner, external_id="C-1")
    assert contractor.search_name == "zoe oneil"


def test_rename_updates_assignment_names_without_reissuing(api, partner):
    facility = factories.facility(partner)
    api.put("/contractors/C-1", BODY)
    contractor = Contractor.objects.get(partner=partner, external_id="C-1")
    assignment = factories.assignment(facility, contractor)
    certificate = assignment.current_certificate
    renamed = api.put("/contractors/C-1", {**BODY, "last_name": "Smith"})
    assert renamed.json()["outcome"] == "updated"
    assignment.refresh_from_db()
    assert assignment.contractor_name == "Zoë Smith"
    assert assignment.sort_name == "smith zoe"
    assert assignment.search_name == "zoe smith"
    assert Certificate.objects.filter(assignment=assignment).count() == 1
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.snapshot["insured"]["name"] == "Zoë O'Neil"
    assert Assignment.objects.get(pk=assignment.pk).current_certificate_id == certificate.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"last_name": "Doe"}, "first_name"),
        ({"first_name": "Jane"}, "last_name"),
        ({**BODY, "email": "not-an-address"}, "email"),
        ({**BODY, "email": "a@b.c\x00"}, "email"),
        ({**BODY, "first_name": "J" * 101}, "first_name"),
        ({**BODY, "address": {"line1": "x" * 201}}, "address.line1"),
    ],
)
def test_validation_failures(api, partner, body, field):
    assert_problem(api.put("/contractors/C-1", body), 422, field=field)
    assert not Contractor.objects.filter(partner=partner).exists()


def test_email_may_be_blank(api):
    response = api.put("/contractors/C-1", {"first_name": "Jo", "last_name": "Ng"})
    assert response.status_code == 201 and response.json()["email"] == ""


def test_get_list_and_404(api):
    api.put("/contractors/C-1", BODY)
    api.put("/contractors/C-2", {**BODY, "first_name": "Ann"})
    assert api.get("/contractors/C-1").json()["first_name"] == "Zoë"
    assert_problem(api.get("/contractors/C-3"), 404)
    page = api.get("/contractors", {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = api.get("/contractors", {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert {page["items"][0]["external_id"], rest["items"][0]["external_id"]} == {"C-1", "C-2"}
    assert rest["next_cursor"] is None
