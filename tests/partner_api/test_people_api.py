"""``/facilities/{id}/members`` and ``/invitations``: invite, list, revoke, remove."""

import pytest

from compliance_hub.activity.models import Activity
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Invitation, Membership
from compliance_hub.mailer.models import OutboundEmail
from tests import factories
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def facility(api, partner):
    api.put("/facilities/FAC-1", {"name": "St Mary"})
    return partner.facilities.get(external_id="FAC-1")


def test_invite_a_new_person_sends_an_invitation(api, partner, facility):
    response = api.post(
        "/facilities/FAC-1/invitations",
        {"email": "Alex@StMarys.example", "name": "Alex Morgan", "role": "primary"},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["email"] == "alex@stmarys.example"
    assert data["status"] == "pending" and data["role"] == "primary"
    invitation = Invitation.objects.get(pk=data["id"])
    assert invitation.invited_by_partner == partner
    assert list(invitation.facilities.all()) == [facility]
    assert OutboundEmail.objects.filter(to="alex@stmarys.example").count() == 1
    listed = api.get("/facilities/FAC-1/invitations").json()["items"]
    assert [i["id"] for i in listed] == [data["id"]]
    assert Activity.objects.filter(verb=Activity.Verb.INVITED, facility=facility).exists()


def test_invite_an_existing_person_is_pending_until_they_accept(api, facility):
    person = factories.member(factories.facility(), factories.person("jamie@example.com"))
    data = api.post("/facilities/FAC-1/invitations", {"email": "Jamie@Example.com"}).json()
    assert data["status"] == "pending" and data["accepted_at"] is None
    assert data["email"] == "jamie@example.com" and data["name"] == ""
    assert api.get("/facilities/FAC-1/members").json()["items"] == []
    assert not Membership.objects.filter(person=person, facility=facility).exists()
    listed = api.get("/facilities/FAC-1/invitations").json()["items"]
    assert [(i["email"], i["status"]) for i in listed] == [("jamie@example.com", "pending")]
    invitations.accept_as(person, data["id"])
    members = api.get("/facilities/FAC-1/members").json()["items"]
    assert [(m["email"], m["role"], m["invited_by"]) for m in members] == [
        ("jamie@example.com", "member", facility.partner.name)
    ]
    assert api.get("/facilities/FAC-1/invitations").json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({}, "email"),
        ({"email": "a@example.com", "role": "owner"}, "role"),
        ({"email": "a@example.com", "name": "x" * 201}, "name"),
    ],
)
def test_invite_validation(api, facility, body, field):
    assert_problem(api.post("/facilities/FAC-1/invitations", body), 422, field=field)
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_inviting_someone_who_has_access_already_is_422(api, facility):
    factories.member(facility, factories.person("jamie@example.com"))
    response = api.post("/facilities/FAC-1/invitations", {"email": "jamie@example.com"})
    assert_problem(response, 422, field="email")


def test_invitation_rate_limit_is_429_with_retry_after(api, facility, settings):
    settings.INVITATION_RATE_PER_INVITER = 2
    for i in range(2):
        assert (
            api.post("/facilities/FAC-1/invitations", {"email": f"p{i}@example.com"}).status_code
            == 201
        )
    limited = api.post("/facilities/FAC-1/invitations", {"email": "p9@example.com"})
    assert_problem(limited, 429)
    assert int(limited["Retry-After"]) > 0
    assert Invitation.objects.count() == 2


def test_revoke_invitation(api, facility):
    data = api.post("/facilities/FAC-1/invitations", {"email": "alex@example.com"}).json()
    response = api.delete(f"/facilities/FAC-1/invitations/{data['id']}")
    assert response.status_code == 204 and response.content == b""
    assert Invitation.objects.get(pk=data["id"]).revoked_at is not None
    assert api.get("/facilities/FAC-1/invitations").json()["items"] == []
    assert_problem(api.delete(f"/facilities/FAC-1/invitations/{data['id']}"), 404)
    assert_problem(api.delete("/facilities/FAC-1/invitations/999999"), 404)
    assert_problem(api.delete("/facilities/FAC-1/invitations/0"), 422)


def test_remove_member(api, facility):
    person = factories.member(facility)
    membership = Membership.objects.get(person=person)
    response = api.delete(f"/facilities/FAC-1/members/{membership.pk}")
    assert response.status_code == 204
    membership.refresh_from_db()
    assert membership.revoked_at is not None
    assert api.get("/facilities/FAC-1/members").json()["items"] == []
    assert Activity.objects.filter(verb=Activity.Verb.REMOVED, target=person.email).exists()
    assert_problem(api.delete(f"/facilities/FAC-1/members/{membership.pk}"), 404)


def test_member_of_another_facility_is_404(api, partner, facility):
    elsewhere = factories.facility(partner, external_id="FAC-2")
    person = factories.member(elsewhere)
    membership = Membership.objects.get(person=person)
    assert_problem(api.delete(f"/facilities/FAC-1/members/{membership.pk}"), 404)
    assert Membership.objects.get(pk=membership.pk).revoked_at is None


def test_unknown_facility_is_404(api):
    assert_problem(api.get("/facilities/NOPE/members"), 404)
    assert_problem(api.get("/facilities/NOPE/invitations"), 404)
    assert_problem(api.post("/facilities/NOPE/invitations", {"email": "a@example.com"}), 404)
