"""The invitations service: who may invite whom to what, and what each step writes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance_hub.accounts.models import Person, SignInToken
from compliance_hub.activity.models import Activity
from compliance_hub.facilities import invitations
from compliance_hub.facilities.invitations import By, InvitationRateLimited, invite
from compliance_hub.facilities.models import Invitation, Membership
from compliance_hub.mailer.models import OutboundEmail
from tests import factories
from tests.accounts.helpers import deliver, path_in

pytestmark = pytest.mark.django_db
PRIMARY, MEMBER = Membership.Role.PRIMARY, Membership.Role.MEMBER


@pytest.fixture
def primary(facility):
    return factories.member(
        facility, factories.person("primary@example.com", name="Pri Mary"), role=PRIMARY
    )


@pytest.fixture
def member(facility):
    return factories.member(facility, factories.person("member@example.com"))


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_invite_new_address_creates_invitation_token_mail_and_activity(facility, primary):
    invitation = invite(
        email=" New.Person@Example.com ", facilities=[facility], role=MEMBER, by=By(primary)
    )
    assert invitation.email == "new.person@example.com"
    assert invitation.accepted_at is None and invitation.is_pending
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    assert list(invitation.facilities.all()) == [facility]
    token = SignInToken.objects.get(invitation=invitation)
    assert token.purpose == "invitation" and len(token.token_hash) == 64
    [message] = deliver()
    assert message.to == ["new.person@example.com"]
    assert (
        message.subject
        == f"Pri Mary (primary@example.com) invited you to {facility.name} on Compliance Hub"
    )
    assert "7 days" in message.body and facility.name in message.body
    assert path_in(message.body).startswith("/invitations/")
    activity = Activity.objects.get(verb="invited")
    assert activity.actor == primary and activity.facility == facility
    assert activity.target == "new.person@example.com"
    assert not Person.objects.filter(email="new.person@example.com").exists()


def test_invite_existing_person_waits_for_consent_and_asks_to_accept_or_decline(facility, primary):
    other = factories.facility(facility.partner)
    known = factories.member(other, factories.person("known@example.com", name="Kim Own"))
    invitation = invite(
        email="Known@Example.com", facilities=[facility], role=MEMBER, by=By(primary)
    )
    assert invitation.is_pending and invitation.accepted_by is None
    assert invitation.name == ""  # not the account's name: the inviter learns nothing
    assert not Membership.objects.filter(person=known, facility=facility).exists()
    [message] = deliver()
    assert message.to == ["known@example.com"]
    assert message.subject == (
        f"Pri Mary (primary@example.com) invited you to {facility.name} on Compliance Hub"
    )
    assert "Accept or decline" in message.body and "already use" in message.body
    assert path_in(message.body).startswith("/invitations/")
    assert SignInToken.objects.filter(invitation=invitation).count() == 1
    assert "existing_person" not in Activity.objects.get(verb="invited").detail


def test_a_deactivated_account_is_invited_but_sent_nothing(facility, primary):
    factories.person("gone@example.com", is_active=False)
    invitation = invite(
        email="gone@example.com", facilities=[facility], role=MEMBER, by=By(primary)
    )
    assert invitation.is_pending
    assert deliver() == [] and not SignInToken.objects.exists()


def test_existing_member_cannot_be_invited_again(facility, primary, member):
    with pytest.raises(ValidationError) as exc:
        invite(email=member.email, facilities=[facility], role=MEMBER, by=By(primary))
    assert "already has this access" in _errors(exc)["email"][0]
    assert Invitation.objects.count() == 0


def test_raising_a_member_to_primary_waits_for_their_consent(facility, primary, member):
    invitation = invite(email=member.email, facilities=[facility], role=PRIMARY, by=By(primary))
    assert Membership.objects.get(person=member, revoked_at__isnull=True).role == MEMBER
    invitations.accept_as(member, invitation.pk)
    assert Membership.objects.get(person=member, revoked_at__isnull=True).role == PRIMARY


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": ""}, "email"),
        ({"role": "owner"}, "role"),
        ({"facilities": []}, "facilities"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_input_is_refused_with_field_errors(facility, primary, kwargs, field):
    args = {
        "email": "ok@example.com",
        "facilities": [facility],
        "role": MEMBER,
        "by": By(primary),
    }
    args.update(kwargs)
    with pytest.raises(ValidationError) as exc:
        invite(**args)
    assert field in _errors(exc)
    assert Invitation.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_inviter_must_belong_to_every_facility(facility, member):
    foreign = factories.facility(facility.partner)
    with pytest.raises(ValidationError) as exc:
        invite(email="x@example.com", facilities=[facility, foreign], role=MEMBER, by=By(member))
    assert "facilities you belong to" in _errors(exc)["facilities"][0]
    assert Invitation.objects.count() == 0


def test_removed_member_cannot_invite(facility, member):
    Membership.objects.filter(person=member).update(revoked_at=timezone.now())
    with pytest.raises(ValidationError):
        invite(email="x@example.com", facilities=[facility], role=MEMBER, by=By(member))


def test_only_primary_contacts_grant_primary(facility, member):
    with pytest.raises(ValidationError) as exc:
        invite(email="x@example.com", facilities=[facility], role=PRIMARY, by=By(member))
    assert "role" in _errors(exc)


def test_primary_of_one_facility_cannot_grant_primary_at_another(facility, primary):
    second = factories.facility(facility.partner)
    factories.member(second, primary)  # a plain member there
    with pytest.raises(ValidationError) as exc:
        invite(email="x@example.com", facilities=[facility, second], role=PRIMARY, by=By(primary))
    assert "role" in _errors(exc)


def test_partner_invites_primary_to_own_facilities_only(facility, partner):
    invitation = invite(
        email="boss@example.com", facilities=[facility], role=PRIMARY, by=By(partner=partner)
    )
    assert invitation.invited_by_partner == partner
    [message] = deliver()
    assert message.subject.startswith(f"{partner.name} invited you to {facility.name}")
    other_partner_facility = factories.facility()
    with pytest.raises(ValidationError) as exc:
        invite(
            email="boss2@example.com",
            facilities=[other_partner_facility],
            role=PRIMARY,
            by=By(partner=partner),
        )
    assert "facilities" in _errors(exc)


def test_operator_may_invite_without_inviter(facility):
    invitation = invite(email="first@example.com", facilities=[facility], role=PRIMARY)
    assert invitation.invited_by is None and invitation.invited_by_partner is None
    assert Activity.objects.get(verb="invited").actor_label == "operator"


def test_rate_limit_per_inviter(facility, primary, settings):
    settings.INVITATION_RATE_PER_INVITER = 2
    invite(email="a@example.com", facilities=[facility], role=MEMBER, by=By(primary))
    invite(email="b@example.com", facilities=[facility], role=MEMBER, by=By(primary))
    with pytest.raises(InvitationRateLimited) as exc:
        invite(email="c@example.com", facilities=[facility], role=MEMBER, by=By(primary))
    assert "Too many invitations" in str(exc.value)
    assert exc.value.retry_after > 0
    assert not Invitation.objects.filter(email="c@example.com").exists()
    # Another inviter is not affected.
    other = factories.member(facility, factories.person("other@example.com"))
    invite(email="c@example.com", facilities=[facility], role=MEMBER, by=By(other))


def test_resend_issues_a_new_link_and_renews(facility, primary):
    invitation = invite(
        email="slow@example.com", facilities=[facility], role=MEMBER, by=By(primary)
    )
    first = path_in(deliver()[0].body)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    invitation.refresh_from_db()
    invitations.resend(invitation, By(primary))
    invitation.refresh_from_db()
    assert invitation.is_pending
    second = path_in(deliver()[0].body)
    assert first != second
    assert SignInToken.objects.filter(invitation=invitation).count() == 2


def test_resend_refused_for_outsiders(facility, primary):
    invitation = invite(email="x@example.com", facilities=[facility], role=MEMBER, by=By(primary))
    outsider = factories.member(factories.facility())
    with pytest.raises(ValidationError):
        invitations.resend(invitation, By(outsider))


def test_revoke_kills_the_link(facility, primary):
    invitation = invite(email="x@example.com", facilities=[facility], role=MEMBER, by=By(primary))
    invitations.revoke(invitation, By(primary))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and not invitation.is_pending
    assert SignInToken.objects.get(invitation=invitation).used_at is not None
    token = SignInToken.objects.get(invitation=invitation)
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.accept(token)
    assert Activity.objects.filter(verb="invitation_revoked").count() == 1


def test_revoke_for_one_facility_keeps_the_rest(facility, primary):
    second = factories.facility(facility.partner)
    factories.member(second, primary, role=PRIMARY)
    invitation = invite(
        email="x@example.com", facilities=[facility, second], role=MEMBER, by=By(primary)
    )
    invitations.revoke(invitation, By(primary), facility=second)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert list(invitation.facilities.all()) == [facility]


def test_member_may_revoke_own_invitation_but_not_others(facility, primary, member):
    mine = invite(email="mine@example.com", facilities=[facility], role=MEMBER, by=By(member))
    theirs = invite(email="theirs@example.com", facilities=[facility], role=MEMBER, by=By(primary))
    invitations.revoke(mine, By(member))
    with pytest.raises(ValidationError):
        invitations.revoke(theirs, By(member))


def test_accept_creates_person_memberships_and_records(facility, primary):
    invitation = invite(
        email="Fresh@Example.com",
        name="Fresh Face",
        facilities=[facility],
        role=MEMBER,
        by=By(primary),
    )
    token = SignInToken.objects.get(invitation=invitation)
    person = invitations.accept(token)
    assert person.email == "fresh@example.com" and person.name == "Fresh Face"
    assert not person.has_usable_password()
    membership = Membership.objects.get(person=person, facility=facility)
    assert membership.invited_by == primary and membership.role == MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    assert Activity.objects.get(verb="invitation_accepted").actor == person
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.accept(SignInToken.objects.get(pk=token.pk))


def test_accept_expired_invitation_fails(facility, primary):
    invitation = invite(
        email="late@example.com", facilities=[facility], role=MEMBER, by=By(primary)
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.accept(SignInToken.objects.get(invitation=invitation))
    assert not Person.objects.filter(email="late@example.com").exists()


def test_sign_in_token_cannot_accept_an_invitation(facility, member):
    from compliance_hub.accounts import tokens

    issued = tokens.issue(purpose="sign_in", email=member.email, person=member, ttl=600)
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.accept(issued.token)


def test_remove_member_by_primary(facility, primary, member):
    membership = Membership.objects.get(person=member)
    invitations.remove_member(membership, By(primary))
    membership.refresh_from_db()
    assert membership.revoked_at is not None and membership.revoked_by == primary
    activity = Activity.objects.get(verb="removed")
    assert activity.target == member.email and activity.actor == primary


def test_member_cannot_remove_others_but_can_leave(facility, primary, member):
    with pytest.raises(ValidationError) as exc:
        invitations.remove_member(Membership.objects.get(person=primary), By(member))
    assert "primary contact" in _errors(exc)["membership"][0]
    invitations.remove_member(Membership.objects.get(person=member), By(member))
    assert Activity.objects.filter(verb="left", actor=member).exists()


def test_partner_removes_only_at_its_facilities(facility, member):
    stranger = factories.partner()
    with pytest.raises(ValidationError):
        invitations.remove_member(Membership.objects.get(person=member), By(partner=stranger))
    invitations.remove_member(Membership.objects.get(person=member), By(partner=facility.partner))
    assert Membership.objects.get(person=member).revoked_at is not None


def test_removal_withdraws_invitations_the_person_sent(facility, member, primary):
    invitation = invite(
        email="friend@example.com", facilities=[facility], role=MEMBER, by=By(member)
    )
    invitations.remove_member(Membership.objects.get(person=member), By(primary))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_removed_person_can_be_invited_again_and_returns_only_by_accepting(
    facility, primary, member
):
    invitations.remove_member(Membership.objects.get(person=member), By(primary))
    invitation = invite(email=member.email, facilities=[facility], role=MEMBER, by=By(primary))
    assert not Membership.objects.filter(person=member, revoked_at__isnull=True).exists()
    invitations.accept_as(member, invitation.pk)
    assert Membership.objects.filter(person=member, revoked_at__isnull=True).count() == 1


def test_accept_signed_in_only_for_ones_own_open_invitation(facility, primary, member):
    stranger = factories.person("stranger@example.com")
    invitation = invite(
        email="stranger@example.com", facilities=[facility], role=MEMBER, by=By(primary)
    )
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.accept_as(member, invitation.pk)  # addressed to someone else
    facilities = invitations.accept_as(stranger, invitation.pk)
    assert facilities == [facility]
    assert Membership.objects.filter(person=stranger, facility=facility).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == stranger
    assert SignInToken.objects.get(invitation=invitation).used_at is not None
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.accept_as(stranger, invitation.pk)  # answered already


@pytest.mark.parametrize("state", ["declined", "revoked", "expired"])
def test_closed_invitations_cannot_be_accepted_either_way(facility, primary, state):
    person = factories.person("late@example.com")
    invitation = invite(email=person.email, facilities=[facility], role=MEMBER, by=By(primary))
    token = SignInToken.objects.get(invitation=invitation)
    if state == "declined":
        invitations.decline(invitation)
    elif state == "revoked":
        invitations.revoke(invitation, By(primary))
    else:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.accept_as(person, invitation.pk)
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.accept(SignInToken.objects.get(pk=token.pk))
    with pytest.raises(invitations.InvitationUnavailable):
        invitations.decline(invitation)
    assert not Membership.objects.filter(person=person).exists()


def test_decline_is_recorded_without_the_person(facility, primary):
    person = factories.person("no@example.com")
    invitation = invite(email=person.email, facilities=[facility], role=MEMBER, by=By(primary))
    invitations.decline(invitation)
    record = Activity.objects.get(verb="invitation_revoked")
    assert record.facility == facility and record.target == "no@example.com"
    assert record.actor is None and record.ip is None and record.detail["declined"] is True
    assert list(invitations.pending_for(facility)) == []
