"""Partner console: facilities list and detail, bulk-download switch, invite, revoke, remove."""

import pytest
from django.test import Client

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import Invitation, Membership, PartnerStaff
from compliance_hub.mailer.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(partner):
    person = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=person)
    return person


@pytest.fixture
def console(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_list_shows_own_facilities_with_member_counts(console, partner, other_partner):
    mine = factories.facility(partner, name="St Mary Regional")
    factories.member(mine)
    factories.member(mine)
    gone = factories.member(mine)
    Membership.objects.filter(person=gone).update(revoked_at="2026-01-01T00:00:00Z")
    factories.facility(partner, name="Lakeside Care")
    factories.facility(other_partner, name="Somebody Else's Arena")
    response = console.get("/partner/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "St Mary Regional" in html and "Lakeside Care" in html
    assert "Somebody Else" not in html
    rows = {f.name: f for f in response.context["facilities"]}
    assert rows["St Mary Regional"].member_count == 2
    assert rows["Lakeside Care"].member_count == 0
    console.post(
        f"/partner/facilities/{mine.pk}/invite/", {"email": "a@example.com", "role": "member"}
    )
    rows = {f.name: f for f in console.get("/partner/").context["facilities"]}
    assert rows["St Mary Regional"].pending_count == 1
    assert rows["St Mary Regional"].member_count == 2


def test_anonymous_is_sent_to_sign_in():
    response = Client().get("/partner/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


@pytest.mark.parametrize("path", ["/partner/", "/partner/keys/", "/partner/facilities/{pk}/"])
def test_signed_in_non_staff_gets_404(partner, path):
    facility = factories.facility(partner)
    member = factories.member(facility)  # a facility person, not partner staff
    client = Client()
    client.force_login(member)
    assert client.get(path.format(pk=facility.pk)).status_code == 404


def test_other_partners_facility_is_404_everywhere(console, other_partner):
    theirs = factories.facility(other_partner)
    person = factories.member(theirs)
    membership = Membership.objects.get(person=person)
    assert console.get(f"/partner/facilities/{theirs.pk}/").status_code == 404
    posts = [
        (f"/partner/facilities/{theirs.pk}/bulk-download/", {"enabled": "1"}),
        (f"/partner/facilities/{theirs.pk}/invite/", {"email": "x@example.com", "role": "member"}),
        (f"/partner/facilities/{theirs.pk}/members/{membership.pk}/remove/", {}),
    ]
    for path, data in posts:
        assert console.post(path, data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.bulk_download_enabled is False
    assert not Invitation.objects.exists()
    assert Membership.objects.get(pk=membership.pk).revoked_at is None


def test_detail_shows_members_pending_invitations_and_activity(console, partner):
    facility = factories.facility(partner, name="St Mary Regional")
    factories.member(facility, factories.person("jamie@stmarys.example"))
    console.post(
        f"/partner/facilities/{facility.pk}/invite/",
        {"email": "alex@stmarys.example", "name": "Alex", "role": "primary"},
    )
    html = console.get(f"/partner/facilities/{facility.pk}/").content.decode()
    assert "jamie@stmarys.example" in html  # member
    assert "alex@stmarys.example" in html  # pending invitation
    assert "Invited" in html  # recent activity


def test_toggle_bulk_download_records_activity(console, partner, staff):
    facility = factories.facility(partner)
    response = console.post(f"/partner/facilities/{facility.pk}/bulk-download/", {"enabled": "1"})
    assert response.status_code == 302
    facility.refresh_from_db()
    assert facility.bulk_download_enabled is True
    record = Activity.objects.get(verb=Activity.Verb.SETTINGS_CHANGED, facility=facility)
    assert record.actor == staff and record.detail == {"bulk_download_enabled": True}
    back = console.post(
        f"/partner/facilities/{facility.pk}/bulk-download/", {"enabled": "0", "next": "list"}
    )
    assert back["Location"] == "/partner/"
    facility.refresh_from_db()
    assert facility.bulk_download_enabled is False


def test_toggle_requires_post_and_csrf(partner, staff):
    facility = factories.facility(partner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.get(f"/partner/facilities/{facility.pk}/bulk-download/").status_code == 405
    assert (
        client.post(
            f"/partner/facilities/{facility.pk}/bulk-download/", {"enabled": "1"}
        ).status_code
        == 403
    )
    facility.refresh_from_db()
    assert facility.bulk_download_enabled is False


def test_invite_a_facility_contact(console, partner, staff):
    facility = factories.facility(partner)
    response = console.post(
        f"/partner/facilities/{facility.pk}/invite/",
        {"email": "Alex@StMarys.example", "name": "Alex Morgan", "role": "primary"},
        follow=True,
    )
    assert "Invitation sent to alex@stmarys.example" in response.content.decode()
    invitation = Invitation.objects.get()
    assert invitation.invited_by_partner == partner and invitation.role == "primary"
    assert OutboundEmail.objects.filter(to="alex@stmarys.example").exists()
    invited = Activity.objects.get(verb=Activity.Verb.INVITED, facility=facility)
    assert invited.actor == staff


def test_invite_form_errors_keep_input_and_write_nothing(console, partner):
    facility = factories.facility(partner)
    response = console.post(
        f"/partner/facilities/{facility.pk}/invite/",
        {"email": "not-an-address", "name": "Alex", "role": "primary"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter an e-mail address like name@example.com." in html
    assert 'value="Alex"' in html
    assert not Invitation.objects.exists()


def test_invite_someone_with_access_already_shows_the_reason(console, partner):
    facility = factories.facility(partner)
    factories.member(facility, factories.person("jamie@example.com"))
    response = console.post(
        f"/partner/facilities/{facility.pk}/invite/",
        {"email": "jamie@example.com", "role": "member"},
    )
    assert response.status_code == 400
    assert "already has this access" in response.content.decode()


def test_revoke_invitation_and_remove_member(console, partner):
    facility = factories.facility(partner)
    console.post(
        f"/partner/facilities/{facility.pk}/invite/", {"email": "a@example.com", "role": "member"}
    )
    invitation = Invitation.objects.get()
    response = console.post(
        f"/partner/facilities/{facility.pk}/invitations/{invitation.pk}/revoke/"
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    person = factories.member(facility)
    membership = Membership.objects.get(person=person)
    console.post(f"/partner/facilities/{facility.pk}/members/{membership.pk}/remove/")
    membership.refresh_from_db()
    assert membership.revoked_at is not None


def test_invitation_of_another_facility_is_404(console, partner):
    facility = factories.facility(partner)
    other = factories.facility(partner)
    invitation = Invitation.objects.create(email="x@example.com", expires_at="2099-01-01T00:00:00Z")
    invitation.facilities.set([other])
    path = f"/partner/facilities/{facility.pk}/invitations/{invitation.pk}/revoke/"
    assert console.post(path).status_code == 404
    assert Invitation.objects.get().revoked_at is None


def test_staff_of_two_partners_sees_both(staff, partner, other_partner):
    PartnerStaff.objects.create(partner=other_partner, person=staff)
    factories.facility(partner, name="Mine A")
    factories.facility(other_partner, name="Mine B")
    client = Client()
    client.force_login(staff)
    html = client.get("/partner/").content.decode()
    assert "Mine A" in html and "Mine B" in html
