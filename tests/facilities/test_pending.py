"""Signed in: the invitations waiting for the person, the notice that says so, accept, decline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.invitations import By, invite
from compliance_hub.facilities.models import Invitation, Membership
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(partner):
    return factories.facility(partner, name="Home Ward")


@pytest.fixture
def person(home):
    return factories.member(home, factories.person("kim@example.com"))


@pytest.fixture
def browser(person):
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def invitation(partner):
    facility = factories.facility(partner, name="New Wing")
    inviter = factories.member(facility, factories.person("lee@example.com"), role="primary")
    return invite(email="KIM@example.com", facilities=[facility], role="member", by=By(inviter))


def test_facility_pages_say_an_invitation_is_waiting(browser, home, invitation):
    html = browser.get(f"/facilities/{home.pk}/certificates/").content.decode()
    assert 'href="/invitations/">You have an invitation waiting</a>' in html
    listing = browser.get("/invitations/").content.decode()
    assert "New Wing" in listing and "lee@example.com" in listing
    assert f'action="/invitations/{invitation.pk}/accept/"' in listing
    assert f'action="/invitations/{invitation.pk}/decline/"' in listing


def test_no_notice_without_invitations(browser, home):
    html = browser.get(f"/facilities/{home.pk}/certificates/").content.decode()
    assert "invitation waiting" not in html
    assert "No invitations are waiting for you." in browser.get("/invitations/").content.decode()


def test_accept_from_the_notice(browser, person, invitation):
    [facility] = invitation.facilities.all()
    assert not Membership.objects.filter(person=person, facility=facility).exists()
    response = browser.post(f"/invitations/{invitation.pk}/accept/", follow=True)
    assert response.redirect_chain[-1][0] == f"/facilities/{facility.pk}/certificates/"
    assert "You now have access to New Wing." in response.content.decode()
    assert Membership.objects.filter(person=person, facility=facility, revoked_at__isnull=True)
    assert Activity.objects.filter(verb="invitation_accepted", actor=person).exists()
    # Answered: it no longer waits, and cannot be answered again.
    assert "invitation waiting" not in response.content.decode()
    assert browser.post(f"/invitations/{invitation.pk}/accept/").status_code == 404
    assert browser.post(f"/invitations/{invitation.pk}/decline/").status_code == 404


def test_decline_from_the_notice(browser, person, invitation):
    response = browser.post(f"/invitations/{invitation.pk}/decline/", follow=True)
    assert "Invitation declined." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and invitation.accepted_at is None
    assert not Membership.objects.filter(person=person, facility__name="New Wing").exists()
    assert browser.post(f"/invitations/{invitation.pk}/accept/").status_code == 404


def test_someone_elses_invitation_is_404(partner, invitation):
    other = Client()
    other.force_login(factories.person("not.kim@example.com"))
    assert other.post(f"/invitations/{invitation.pk}/accept/").status_code == 404
    assert other.post(f"/invitations/{invitation.pk}/decline/").status_code == 404
    assert "New Wing" not in other.get("/invitations/").content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.revoked_at is None


def test_expired_invitations_neither_wait_nor_work(browser, home, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert "invitation waiting" not in browser.get(f"/facilities/{home.pk}/team/").content.decode()
    assert browser.post(f"/invitations/{invitation.pk}/accept/").status_code == 404


def test_answers_need_a_post_and_a_signed_in_person(invitation):
    anonymous = Client()
    for path in ("/invitations/", f"/invitations/{invitation.pk}/accept/"):
        response = anonymous.post(path)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    signed_in = Client()
    signed_in.force_login(factories.person("kim@example.com"))
    assert signed_in.get(f"/invitations/{invitation.pk}/accept/").status_code == 405
