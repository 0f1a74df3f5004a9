"""Opening an invitation link: scanner-safe, shows who invited to what, single-use."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.activity.models import Activity
from compliance_hub.facilities.invitations import By, invite
from compliance_hub.facilities.models import Invitation, Membership
from tests import factories
from tests.accounts.helpers import deliver, is_signed_in, link_for, path_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def inviter(facility):
    return factories.member(
        facility, factories.person("lead@example.com", name="Lee Lead"), role="primary"
    )


@pytest.fixture
def link(facility, inviter):
    invite(email="joiner@example.com", facilities=[facility], role="member", by=By(inviter))
    return path_in(deliver()[0].body)


def test_link_redirects_to_token_free_page_showing_the_invitation(link, facility):
    token = link.split("/")[2]
    browser = Client()
    response = browser.get(link)
    assert response.status_code == 302 and response["Location"] == "/invitations/accept/"
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    page = browser.get("/invitations/accept/")
    body = page.content.decode()
    assert facility.name in body
    assert "Lee Lead (lead@example.com)" in body
    assert "j…@example.com" in body
    assert "Accept and sign in" in body and "Decline" in body
    assert token not in body and "<script" not in body
    assert "no-store" in page["Cache-Control"]


def test_scanner_get_does_not_accept(link):
    scanner = Client()
    for _ in range(2):
        scanner.get(link, follow=True)
    assert not Person.objects.filter(email="joiner@example.com").exists()
    assert Invitation.objects.get().accepted_at is None


def test_accept_creates_person_and_signs_in(link, facility):
    browser = Client()
    browser.get(link)
    response = browser.post("/invitations/accept/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_signed_in(browser, "joiner@example.com")
    person = Person.objects.get(email="joiner@example.com")
    assert Membership.objects.filter(
        person=person, facility=facility, revoked_at__isnull=True
    ).exists()
    assert Activity.objects.filter(
        verb="signed_in", actor=person, detail__method="invitation"
    ).exists()
    assert browser.get(f"/facilities/{facility.pk}/team/").status_code == 200
    # Later sign-ins work like everyone else's.
    assert link_for(Client(), "joiner@example.com").startswith("/sign-in/")


def test_replay_after_accept_fails(link):
    first = Client()
    first.get(link)
    first.post("/invitations/accept/")
    again = Client()
    again.get(link)
    page = again.get("/invitations/accept/")
    assert page.status_code == 410
    assert "This invitation link no longer works" in page.content.decode()
    assert again.post("/invitations/accept/").status_code == 410
    assert not is_signed_in(again)


def test_expired_invitation_fails_and_one_click_renews(link):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    browser = Client()
    browser.get(link)
    assert browser.get("/invitations/accept/").status_code == 410
    assert browser.post("/invitations/accept/").status_code == 410
    assert Activity.objects.filter(verb="sign_in_failed", detail__reason="expired").exists()
    page = browser.post("/invitations/renew/", follow=True)
    assert page.redirect_chain == [("/invitations/renewed/", 302)]  # a reload sends nothing
    assert "new link is on its way" in page.content.decode()
    assert "joiner@example.com" not in page.content.decode()
    assert browser.get("/invitations/renewed/").status_code == 200
    [message] = deliver()
    assert message.to == ["joiner@example.com"]
    fresh = path_in(message.body)
    browser.get(fresh)
    browser.post("/invitations/accept/")
    assert is_signed_in(browser, "joiner@example.com")


def test_revoked_invitation_cannot_be_renewed(link):
    Invitation.objects.update(revoked_at=timezone.now())
    browser = Client()
    browser.get(link)
    assert browser.get("/invitations/accept/").status_code == 410
    browser.post("/invitations/renew/")
    assert deliver() == []


def test_sign_in_token_is_refused_as_invitation(facility, inviter):
    path = link_for(Client(), inviter.email)
    token = path.split("/")[2]
    browser = Client()
    browser.get(f"/invitations/{token}/")
    assert browser.post("/invitations/accept/").status_code == 410
    assert not is_signed_in(browser)
    assert Activity.objects.filter(verb="sign_in_failed", detail__reason="wrong_purpose").exists()


def test_accepting_while_signed_in_as_someone_else_switches_person(link, inviter):
    browser = Client()
    browser.get(link_for(browser, inviter.email), follow=True)
    browser.get(link)
    page = browser.get("/invitations/accept/")
    assert "You are signed in as lead@example.com" in page.content.decode()
    browser.post("/invitations/accept/")
    assert is_signed_in(browser, "joiner@example.com")


def test_existing_account_accepting_keeps_one_person(facility, inviter):
    other = factories.facility(facility.partner)
    invite(email="twice@example.com", facilities=[facility], role="member", by=By(inviter))
    link = path_in(deliver()[0].body)
    factories.member(other, factories.person("twice@example.com"))  # got an account meanwhile
    browser = Client()
    browser.get(link)
    browser.post("/invitations/accept/")
    assert Person.objects.filter(email="twice@example.com").count() == 1
    assert (
        Membership.objects.filter(
            person__email="twice@example.com", revoked_at__isnull=True
        ).count()
        == 2
    )


def test_decline_from_the_link_closes_the_invitation_and_signs_nobody_in(link, facility):
    browser = Client()
    browser.get(link)
    page = browser.post("/invitations/decline/", follow=True)
    assert page.redirect_chain == [("/invitations/declined/", 302)]  # POST/redirect/GET
    assert page.status_code == 200 and "Invitation declined" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert "Invitation declined" in browser.get("/invitations/declined/").content.decode()
    assert not is_signed_in(browser)
    assert not Person.objects.filter(email="joiner@example.com").exists()
    invitation = Invitation.objects.get()
    assert invitation.revoked_at is not None and invitation.accepted_at is None
    # Neither the same link nor a second answer works any more.
    assert browser.post("/invitations/accept/").status_code == 410
    again = Client()
    again.get(link)
    assert again.post("/invitations/accept/").status_code == 410
    assert again.post("/invitations/decline/").status_code == 410
    assert not Membership.objects.filter(facility=facility, person__email="joiner@example.com")
    declined = Activity.objects.get(verb="invitation_revoked", facility=facility)
    assert declined.detail["declined"] is True
    assert declined.actor is None and declined.ip is None and declined.actor_label == "invitee"


def test_an_existing_account_accepts_from_the_link_and_is_signed_in(facility, inviter):
    known = factories.member(
        factories.facility(facility.partner), factories.person("k@example.com")
    )
    invite(email="K@Example.com", facilities=[facility], role="member", by=By(inviter))
    [message] = deliver()
    assert "accept or decline" in message.body.lower() and "/sign-in/" not in message.body
    assert not Membership.objects.filter(person=known, facility=facility).exists()
    browser = Client()
    browser.get(path_in(message.body))
    browser.post("/invitations/accept/")
    assert is_signed_in(browser, "k@example.com")
    assert Membership.objects.filter(person=known, facility=facility, revoked_at__isnull=True)


def test_a_made_up_link_stores_no_session_and_is_rate_limited(db, settings):
    settings.SIGN_IN_FAILURES_PER_IP = 2
    browser = Client()
    statuses = [browser.get("/invitations/" + "x" * 43 + "/").status_code for _ in range(3)]
    assert statuses == [410, 410, 429]
    assert "sessionid" not in browser.cookies
