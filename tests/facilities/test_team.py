"""The team page: members, pending invitations, invite, remove, leave; scoped by membership."""

import pytest
from django.test import Client

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.invitations import By, invite
from compliance_hub.facilities.models import Invitation, Membership
from tests import factories
from tests.accounts.helpers import deliver, link_for

pytestmark = pytest.mark.django_db
PRIMARY, MEMBER = Membership.Role.PRIMARY, Membership.Role.MEMBER


def browser_for(person) -> Client:
    """Signed in through the real link flow."""
    browser = Client()
    browser.get(link_for(browser, person.email), follow=True)
    return browser


@pytest.fixture
def primary(facility):
    return factories.member(
        facility, factories.person("boss@example.com", name="Bo Boss"), role=PRIMARY
    )


@pytest.fixture
def member(facility, primary):
    person = factories.person("crew@example.com")
    Membership.objects.create(person=person, facility=facility, role=MEMBER, invited_by=primary)
    return person


def url(facility, rest=""):
    return f"/facilities/{facility.pk}/team/{rest}"


def test_anonymous_is_sent_to_sign_in(client, facility):
    response = client.get(url(facility))
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next=/facilities/{facility.pk}/team/"


def test_team_page_lists_members_and_pending(facility, primary, member):
    invite(email="pending@example.com", facilities=[facility], role=MEMBER, by=By(member))
    body = browser_for(primary).get(url(facility)).content.decode()
    assert "boss@example.com" in body and "crew@example.com" in body
    assert "Primary contact" in body and "Team member" in body
    assert "Bo Boss" in body  # who invited crew
    assert "pending@example.com" in body
    assert 'aria-label="Remove crew@example.com"' in body
    assert 'aria-label="Revoke the invitation to pending@example.com"' in body
    assert 'name="role"' in body  # primary contacts may choose the role


def test_member_sees_no_remove_buttons_and_no_role_choice(facility, primary, member):
    body = browser_for(member).get(url(facility)).content.decode()
    assert "Remove boss@example.com" not in body
    assert "Leave this facility" in body
    assert 'name="role"' not in body


@pytest.mark.parametrize(
    ("method", "rest"),
    [
        ("get", ""),
        ("post", "invite/"),
        ("post", "leave/"),
        ("post", "members/{m}/remove/"),
        ("post", "invitations/{i}/resend/"),
        ("post", "invitations/{i}/revoke/"),
    ],
)
def test_foreign_facility_is_404_everywhere(facility, primary, method, rest):
    foreign = factories.facility()
    foreign_primary = factories.member(foreign, role=PRIMARY)
    invitation = invite(
        email="z@example.com", facilities=[foreign], role=MEMBER, by=By(foreign_primary)
    )
    m = Membership.objects.get(person=foreign_primary)
    path = url(foreign, rest.format(m=m.pk, i=invitation.pk))
    response = getattr(browser_for(primary), method)(
        path, {"email": "q@example.com", "facilities": [foreign.pk]}
    )
    assert response.status_code == 404
    assert Membership.objects.get(pk=m.pk).revoked_at is None
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_other_facilitys_member_and_invitation_ids_are_404(facility, primary):
    foreign = factories.facility()
    foreign_primary = factories.member(foreign, role=PRIMARY)
    invitation = invite(
        email="z@example.com", facilities=[foreign], role=MEMBER, by=By(foreign_primary)
    )
    m = Membership.objects.get(person=foreign_primary)
    browser = browser_for(primary)
    assert browser.post(url(facility, f"members/{m.pk}/remove/")).status_code == 404
    assert browser.post(url(facility, f"invitations/{invitation.pk}/revoke/")).status_code == 404
    assert Membership.objects.get(pk=m.pk).revoked_at is None


def test_invite_from_the_team_page(facility, member):
    browser = browser_for(member)
    response = browser.post(
        url(facility, "invite/"),
        {"email": "Newbie@Example.com", "name": "New Bie", "facilities": [facility.pk]},
        follow=True,
    )
    assert "Invitation sent to newbie@example.com." in response.content.decode()
    invitation = Invitation.objects.get(email="newbie@example.com")
    assert invitation.invited_by == member and invitation.role == MEMBER
    [message] = deliver()
    assert message.to == ["newbie@example.com"]


def test_invite_to_several_own_facilities(facility, primary):
    second = factories.facility(facility.partner, name="Second Site")
    factories.member(second, primary, role=PRIMARY)
    browser = browser_for(primary)
    body = browser.get(url(facility)).content.decode()
    assert "Second Site" in body
    browser.post(
        url(facility, "invite/"),
        {"email": "two@example.com", "facilities": [facility.pk, second.pk], "role": PRIMARY},
    )
    invitation = Invitation.objects.get(email="two@example.com")
    assert set(invitation.facilities.all()) == {facility, second}
    assert invitation.role == PRIMARY


def test_invite_form_errors_write_nothing(facility, member):
    browser = browser_for(member)
    response = browser.post(url(facility, "invite/"), {"email": "nope", "facilities": []})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter an e-mail address like name@example.com." in body
    assert "Choose at least one facility." in body
    assert Invitation.objects.count() == 0


def test_invite_to_a_facility_you_do_not_belong_to_is_refused(facility, member):
    foreign = factories.facility(facility.partner)
    response = browser_for(member).post(
        url(facility, "invite/"), {"email": "x@example.com", "facilities": [foreign.pk]}
    )
    assert response.status_code == 400
    assert "Choose only facilities you belong to." in response.content.decode()
    assert Invitation.objects.count() == 0


def test_member_cannot_invite_a_primary_by_forging_the_form(facility, member):
    browser_for(member).post(
        url(facility, "invite/"),
        {"email": "x@example.com", "facilities": [facility.pk], "role": PRIMARY},
    )
    assert Invitation.objects.get(email="x@example.com").role == MEMBER


def test_inviting_an_existing_member_is_a_field_error(facility, primary, member):
    response = browser_for(primary).post(
        url(facility, "invite/"),
        {"email": member.email, "facilities": [facility.pk], "role": MEMBER},
    )
    assert response.status_code == 400
    assert "already has this access" in response.content.decode()


def test_rate_limit_shows_a_clear_error(facility, member, settings):
    settings.INVITATION_RATE_PER_INVITER = 1
    browser = browser_for(member)
    browser.post(url(facility, "invite/"), {"email": "a@example.com", "facilities": [facility.pk]})
    response = browser.post(
        url(facility, "invite/"), {"email": "b@example.com", "facilities": [facility.pk]}
    )
    assert response.status_code == 429
    assert "Too many invitations sent today" in response.content.decode()
    assert not Invitation.objects.filter(email="b@example.com").exists()


def test_removed_member_loses_access_on_the_very_next_request(facility, primary, member):
    crew = browser_for(member)
    assert crew.get(url(facility)).status_code == 200
    boss = browser_for(primary)
    m = Membership.objects.get(person=member, facility=facility)
    response = boss.post(url(facility, f"members/{m.pk}/remove/"), follow=True)
    assert "crew@example.com no longer has access." in response.content.decode()
    assert crew.get(url(facility)).status_code == 404
    assert (
        crew.post(
            url(facility, "invite/"), {"email": "x@example.com", "facilities": [facility.pk]}
        ).status_code
        == 404
    )
    assert Activity.objects.filter(verb="removed", target=member.email).exists()


def test_member_cannot_remove_others(facility, primary, member):
    m = Membership.objects.get(person=primary)
    response = browser_for(member).post(url(facility, f"members/{m.pk}/remove/"), follow=True)
    assert "Only a primary contact can remove team members." in response.content.decode()
    assert Membership.objects.get(pk=m.pk).revoked_at is None


def test_anyone_can_leave(facility, member):
    browser = browser_for(member)
    response = browser.post(url(facility, "leave/"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert browser.get(url(facility)).status_code == 404
    assert Activity.objects.filter(verb="left", actor=member).exists()


def test_resend_and_revoke_from_the_team_page(facility, primary):
    invitation = invite(
        email="later@example.com", facilities=[facility], role=MEMBER, by=By(primary)
    )
    deliver()
    browser = browser_for(primary)
    response = browser.post(url(facility, f"invitations/{invitation.pk}/resend/"), follow=True)
    assert "A new invitation link is on its way to later@example.com." in response.content.decode()
    assert [m.to for m in deliver()] == [["later@example.com"]]
    response = browser.post(url(facility, f"invitations/{invitation.pk}/revoke/"), follow=True)
    assert "was withdrawn" in response.content.decode()
    assert "later@example.com" not in response.content.decode().split("Pending invitations")[1]
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_team_page_needs_post_for_changes(facility, primary, member):
    m = Membership.objects.get(person=member)
    assert browser_for(primary).get(url(facility, f"members/{m.pk}/remove/")).status_code == 405
    assert Membership.objects.get(pk=m.pk).revoked_at is None
