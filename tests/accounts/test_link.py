"""Opening a sign-in link: scanner-safe, single-use, short-lived, for its own purpose only."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from compliance_hub.accounts.models import SignInToken
from compliance_hub.activity.models import Activity
from tests import factories
from tests.accounts.helpers import ask_for_link, deliver, is_signed_in, link_for, path_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(facility):
    return factories.member(facility, factories.person("dana.reyes@example.com", name="Dana"))


def test_link_moves_token_into_session_and_redirects_to_token_free_url(dana):
    path = link_for(Client(), dana.email)
    token = path.split("/")[2]
    device = Client()
    response = device.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/confirm/"
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    page = device.get("/sign-in/confirm/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Sign in as d…@example.com" in body
    assert token not in body
    assert '<form method="post" action="/sign-in/confirm/">' in body
    assert "<script" not in body
    assert page["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page["Cache-Control"]


def test_scanner_get_does_not_consume(dana):
    path = link_for(Client(), dana.email)
    scanner = Client()
    for _ in range(3):  # scanners prefetch, sometimes repeatedly, following redirects
        scanner.get(path, follow=True)
    assert not is_signed_in(scanner)
    assert SignInToken.objects.get(person=dana).used_at is None
    person = Client()
    person.get(path)
    response = person.post("/sign-in/confirm/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_signed_in(person, dana.email)


def test_post_signs_in_with_new_session_and_records_activity(dana):
    path = link_for(Client(), dana.email)
    device = Client()
    device.get(path)
    before = device.cookies["sessionid"].value
    device.post("/sign-in/confirm/")
    assert device.cookies["sessionid"].value != before  # login() cycles the session key
    assert is_signed_in(device, dana.email)
    signed_in = Activity.objects.get(verb="signed_in")
    assert signed_in.actor == dana and signed_in.detail == {"method": "link"}


def test_same_browser_is_signed_in_straight_away(dana):
    browser = Client()
    path = link_for(browser, dana.email)
    response = browser.get(path, follow=True)
    assert ("/", 302) in response.redirect_chain  # home then sends people to their facility
    assert is_signed_in(browser, dana.email)
    assert Activity.objects.get(verb="signed_in").detail == {"method": "same_browser"}
    # The short-lived same-browser cookie is cleared once used.
    assert browser.cookies["hub_signin"].value == ""


def test_same_browser_cookie_is_random_per_browser(dana):
    first, second = Client(), Client()
    first.post("/sign-in/", {"email": dana.email})
    second.post("/sign-in/", {"email": dana.email})
    a, b = first.cookies["hub_signin"], second.cookies["hub_signin"]
    assert a.value != b.value and len(a.value) >= 43
    assert a["httponly"] and a["samesite"] == "Lax" and int(a["max-age"]) == 600


def test_replay_after_use_fails(dana):
    path = link_for(Client(), dana.email)
    first = Client()
    first.get(path)
    first.post("/sign-in/confirm/")
    assert is_signed_in(first)
    again = Client()
    again.get(path)
    page = again.get("/sign-in/confirm/")
    assert page.status_code == 410
    assert "This link no longer works" in page.content.decode()
    assert again.post("/sign-in/confirm/").status_code == 410
    assert not is_signed_in(again)
    failure = Activity.objects.filter(verb="sign_in_failed").first()
    assert failure.detail["reason"] == "used" and failure.actor == dana


def test_expired_link_fails(dana):
    path = link_for(Client(), dana.email)
    SignInToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    device = Client()
    device.get(path)
    assert device.get("/sign-in/confirm/").status_code == 410
    assert device.post("/sign-in/confirm/").status_code == 410
    assert not is_signed_in(device)
    assert Activity.objects.filter(verb="sign_in_failed", detail__reason="expired").exists()


def test_link_is_valid_for_the_configured_time(dana, settings):
    settings.SIGN_IN_LINK_TTL = 120
    link_for(Client(), dana.email)
    token = SignInToken.objects.get()
    assert token.expires_at - token.created_at == timedelta(seconds=120)


def test_unknown_token_shows_the_same_friendly_page(dana):
    used = link_for(Client(), dana.email)
    used_device = Client()
    used_device.get(used)
    used_device.post("/sign-in/confirm/")
    replay, unknown = Client(), Client()
    replay.get(used)
    unknown.get("/sign-in/" + "x" * 43 + "/")
    a, b = replay.get("/sign-in/confirm/"), unknown.get("/sign-in/confirm/")
    assert a.status_code == b.status_code == 410
    strip = lambda r: r.content.decode().split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert strip(a) == strip(b)
    assert "E-mail me a new link" in a.content.decode()


def test_invitation_token_is_refused_for_sign_in(facility, dana):
    from compliance_hub.facilities.invitations import By, invite

    invite(email="newbie@example.com", facilities=[facility], role="member", by=By(dana))
    invitation_path = path_in(deliver()[0].body)
    assert invitation_path.startswith("/invitations/")
    token = invitation_path.split("/")[2]
    device = Client()
    device.get(f"/sign-in/{token}/")
    assert device.post("/sign-in/confirm/").status_code == 410
    assert not is_signed_in(device)
    assert SignInToken.objects.get(purpose="invitation").used_at is None
    assert Activity.objects.filter(verb="sign_in_failed", detail__reason="wrong_purpose").exists()


def test_new_link_in_one_click_goes_to_the_stored_address(dana):
    path = link_for(Client(), dana.email)
    SignInToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    device = Client()
    device.get(path)
    page = device.get("/sign-in/confirm/")
    assert dana.email not in page.content.decode()
    response = device.post("/sign-in/renew/", follow=True)
    assert "a new one is on its way" in response.content.decode()
    assert dana.email not in response.content.decode()
    messages = deliver()
    assert [m.to for m in messages] == [[dana.email]]
    # The browser that clicked is the asking browser now: the new link signs it in at once.
    device.get(path_in(messages[0].body), follow=True)
    assert is_signed_in(device, dana.email)


def test_new_link_for_unknown_token_sends_nothing(dana):
    device = Client()
    device.get("/sign-in/" + "y" * 43 + "/")
    response = device.post("/sign-in/renew/", follow=True)
    assert "a new one is on its way" in response.content.decode()
    assert deliver() == []


def test_signing_in_uses_up_other_outstanding_links(dana):
    phone, laptop = Client(), Client()
    first = link_for(phone, dana.email)
    second = link_for(laptop, dana.email)
    laptop.get(second, follow=True)
    assert is_signed_in(laptop)
    phone.get(first)
    assert phone.get("/sign-in/confirm/").status_code == 410


def test_next_is_kept_through_the_link(dana, facility):
    path = link_for(Client(), dana.email, next_url=f"/facilities/{facility.pk}/team/")
    device = Client()
    device.get(path)
    response = device.post("/sign-in/confirm/")
    assert response["Location"] == f"/facilities/{facility.pk}/team/"


def test_token_never_reaches_the_access_log(dana, caplog):
    path = link_for(Client(), dana.email)
    token = path.split("/")[2]
    with caplog.at_level(logging.INFO, logger="compliance_hub.access"):
        Client().get(path, follow=True)
    logged = " ".join(r.getMessage() + str(getattr(r, "path", "")) for r in caplog.records)
    assert "/sign-in/" in logged
    assert token not in logged


def test_bare_confirm_visit_records_nothing(client):
    assert client.get("/sign-in/confirm/").status_code == 410
    assert not Activity.objects.exists()


def test_inactive_person_cannot_use_a_link(dana):
    path = link_for(Client(), dana.email)
    dana.is_active = False
    dana.save()
    device = Client()
    device.get(path)
    assert device.post("/sign-in/confirm/").status_code == 410
    assert not is_signed_in(device)


def test_staff_and_partner_staff_can_sign_in(partner):
    from compliance_hub.facilities.models import PartnerStaff

    operator = factories.person("op@hub.example", is_staff=True)
    ops = factories.person("ops@partner.example")
    PartnerStaff.objects.create(partner=partner, person=ops)
    for person in (operator, ops):
        messages = ask_for_link(Client(), person.email)
        assert [m.to for m in messages] == [[person.email]]
