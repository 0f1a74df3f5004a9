"""A partner never sees or changes another partner's objects: every object route is 404."""

import pytest

from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.facilities.models import Invitation, Membership
from tests import factories
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(partner):
    """Objects of ``partner`` (the owner of ``api``), addressed as the other partner would."""
    facility = factories.facility(partner, external_id="FAC-1")
    contractor = factories.contractor(partner, external_id="C-1")
    assignment = factories.assignment(facility, contractor, external_id="A-1")
    member = factories.member(facility)
    membership = Membership.objects.get(person=member, facility=facility)
    invitation = Invitation.objects.create(
        email="new@example.com", expires_at="2099-01-01T00:00:00Z", invited_by_partner=partner
    )
    invitation.facilities.set([facility])
    return {
        "number": assignment.current_certificate.number,
        "membership": membership.pk,
        "invitation": invitation.pk,
    }


ROUTES = [
    ("get", "/facilities/FAC-1", None),
    ("get", "/facilities/FAC-1/settings", None),
    ("put", "/facilities/FAC-1/settings", {"bulk_download_enabled": True}),
    ("get", "/contractors/C-1", None),
    ("get", "/assignments/A-1", None),
    ("get", "/assignments/A-1/certificates", None),
    ("post", "/assignments/A-1/cancel", None),
    ("get", "/certificates/{number}", None),
    ("get", "/certificates/{number}/pdf", None),
    ("get", "/facilities/FAC-1/members", None),
    ("delete", "/facilities/FAC-1/members/{membership}", None),
    ("get", "/facilities/FAC-1/invitations", None),
    ("post", "/facilities/FAC-1/invitations", {"email": "x@example.com"}),
    ("delete", "/facilities/FAC-1/invitations/{invitation}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_other_partners_key_gets_404(other_api, theirs, method, path, body, partner):
    path = path.format(**theirs)
    args = (body,) if method in ("put", "post") else ()
    assert_problem(getattr(other_api, method)(f"{path}", *args), 404)
    # ...and nothing changed.
    assert not partner.facilities.get().bulk_download_enabled
    assert Assignment.objects.get(external_id="A-1").status == Assignment.Status.ACTIVE
    assert Membership.objects.filter(revoked_at__isnull=True).count() == 1
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    assert Certificate.objects.count() == 1


def test_lists_show_only_own_objects(api, other_api, theirs):
    for path in ("/facilities", "/contractors", "/assignments"):
        assert len(api.get(path).json()["items"]) == 1
        assert other_api.get(path).json()["items"] == []


def test_put_with_the_same_external_id_makes_a_separate_object(api, other_api, theirs, partner):
    response = other_api.put("/facilities/FAC-1", {"name": "Theirs too"})
    assert response.status_code == 201
    assert partner.facilities.get().name != "Theirs too"
    assert api.get("/facilities/FAC-1").json()["name"] == partner.facilities.get().name


def test_members_of_a_foreign_facility_cannot_be_reached_through_own(
    api, other_api, theirs, other_partner
):
    factories.facility(other_partner, external_id="MINE")
    path = f"/facilities/MINE/members/{theirs['membership']}"
    assert_problem(other_api.delete(path), 404)
    path = f"/facilities/MINE/invitations/{theirs['invitation']}"
    assert_problem(other_api.delete(path), 404)
    assert Membership.objects.filter(revoked_at__isnull=True).count() == 1
