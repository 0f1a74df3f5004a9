"""Sessions: idle and absolute timeouts, sign out, sign out everywhere."""

import time

import pytest
from django.test import Client

from compliance_hub.accounts.sessions import AUTH_AT, SEEN_AT
from compliance_hub.activity.models import Activity
from tests import factories
from tests.accounts.helpers import is_signed_in, link_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lee(facility):
    return factories.member(facility, factories.person("lee@example.com"))


def signed_in_client(email: str) -> Client:
    """A browser signed in through the real link flow."""
    path = link_for(Client(), email)
    browser = Client()
    browser.get(path)
    assert browser.post("/sign-in/confirm/").status_code == 302
    return browser


def _shift(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"auth": AUTH_AT, "seen": SEEN_AT}[key]] = now - ago
    session.save()


def test_sign_in_starts_both_clocks(lee):
    browser = signed_in_client(lee.email)
    assert isinstance(browser.session[AUTH_AT], int)
    assert isinstance(browser.session[SEEN_AT], int)


def test_cookies_are_httponly_and_lax(lee):
    browser = signed_in_client(lee.email)
    cookie = browser.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_idle_timeout_signs_out(lee, facility, settings):
    browser = signed_in_client(lee.email)
    team = f"/facilities/{facility.pk}/team/"
    assert browser.get(team).status_code == 200
    _shift(
        browser, auth=settings.SESSION_IDLE_TIMEOUT + 120, seen=settings.SESSION_IDLE_TIMEOUT + 1
    )
    response = browser.get(team)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert not is_signed_in(browser)


def test_activity_within_the_idle_timeout_keeps_the_session(lee, facility, settings):
    browser = signed_in_client(lee.email)
    _shift(browser, auth=settings.SESSION_IDLE_TIMEOUT * 2, seen=settings.SESSION_IDLE_TIMEOUT - 60)
    assert browser.get(f"/facilities/{facility.pk}/team/").status_code == 200
    assert browser.session[SEEN_AT] > int(time.time()) - 60  # refreshed


def test_absolute_timeout_signs_out_even_when_active(lee, facility, settings):
    browser = signed_in_client(lee.email)
    _shift(browser, auth=settings.SESSION_ABSOLUTE_TIMEOUT + 1, seen=5)
    response = browser.get(f"/facilities/{facility.pk}/team/")
    assert response.status_code == 302
    assert not is_signed_in(browser)


def test_timeouts_follow_settings(lee, facility, settings):
    settings.SESSION_IDLE_TIMEOUT = 300
    browser = signed_in_client(lee.email)
    _shift(browser, auth=400, seen=301)
    assert browser.get(f"/facilities/{facility.pk}/team/").status_code == 302


def test_sign_out(lee, facility):
    browser = signed_in_client(lee.email)
    response = browser.post("/sign-out/", follow=True)
    assert "You are signed out." in response.content.decode()
    assert not is_signed_in(browser)
    assert browser.get(f"/facilities/{facility.pk}/team/").status_code == 302
    assert Activity.objects.filter(verb="signed_out", actor=lee).exists()


def test_sign_out_needs_post(lee):
    browser = signed_in_client(lee.email)
    page = browser.get("/sign-out/")
    assert page.status_code == 200
    assert is_signed_in(browser)


def test_sign_out_everywhere_ends_every_session(lee, facility):
    laptop = signed_in_client(lee.email)
    phone = signed_in_client(lee.email)
    other = factories.member(facility, factories.person("other@example.com"))
    bystander = signed_in_client(other.email)
    pending = link_for(Client(), lee.email)  # an unused link: cancelled too
    response = laptop.post("/sign-out/everywhere/", follow=True)
    assert "You are signed out on every device." in response.content.decode()
    assert not is_signed_in(laptop)
    assert phone.get(f"/facilities/{facility.pk}/team/").status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(bystander, other.email)
    stale = Client()
    stale.get(pending)
    assert stale.get("/sign-in/confirm/").status_code == 410
    lee.refresh_from_db()
    assert not lee.has_usable_password()
    assert Activity.objects.filter(verb="signed_out", detail__everywhere=True).count() == 1
    # Signing in again afterwards works.
    assert is_signed_in(signed_in_client(lee.email), lee.email)
