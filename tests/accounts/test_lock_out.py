"""A stranger cannot lock a person out of signing in, and no address is flooded with links.

Requests for links are counted per client IP and, from browsers that never signed in as the
address, per address and client and per address; the browser its owner signed in with before
skips those. Whoever asks, an address gets at most SIGN_IN_MAIL_PER_HOUR / _PER_DAY links.
Every request gets the same answer.
"""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from tests import factories
from tests.accounts.helpers import deliver, is_signed_in, link_for, path_in

pytestmark = pytest.mark.django_db

OWNER_IP = "198.51.100.10"


@pytest.fixture
def owner(facility):
    return factories.member(facility, factories.person("owner@example.com"))


def _ask(email: str, ip: str, browser: Client | None = None) -> None:
    browser = browser or Client()
    response = browser.post("/sign-in/", {"email": email}, REMOTE_ADDR=ip)
    assert (response.status_code, response["Location"]) == (302, "/sign-in/sent/")


def _owners_browser(email: str) -> Client:
    """A browser that signed in as ``email`` before, and signed out since."""
    browser = Client(REMOTE_ADDR=OWNER_IP)
    browser.get(link_for(browser, email), follow=True)
    assert is_signed_in(browser, email)
    browser.post("/sign-out/")
    return browser


def test_strangers_using_up_the_address_do_not_stop_its_owners_browser(owner, settings):
    browser = _owners_browser(owner.email)
    for i in range(3 * settings.SIGN_IN_RATE_PER_ADDRESS):  # from many clients
        _ask(owner.email, f"203.0.113.{i}")
    assert len(deliver()) < settings.SIGN_IN_RATE_PER_ADDRESS
    _ask(owner.email, OWNER_IP)  # a browser that never signed in here: refused, silently
    assert deliver() == []

    _ask(owner.email, OWNER_IP, browser)
    [message] = deliver()
    browser.get(path_in(message.body), follow=True)
    assert is_signed_in(browser, owner.email)


def test_one_strangers_client_cannot_use_up_the_address_for_everyone(owner, settings):
    for _ in range(4 * settings.SIGN_IN_RATE_PER_ADDRESS_AND_IP):
        _ask(owner.email, "203.0.113.5")
    assert len(deliver()) == settings.SIGN_IN_RATE_PER_ADDRESS_AND_IP
    _ask(owner.email, "198.51.100.20")  # the owner on a new device, elsewhere
    assert [m.to for m in deliver()] == [[owner.email]]


def test_a_browser_is_recognised_only_for_the_address_it_signed_in_as(owner, facility, settings):
    settings.SIGN_IN_RATE_PER_ADDRESS = 1
    other = factories.member(facility, factories.person("other@example.com"))
    browser = _owners_browser(owner.email)
    _ask(other.email, "203.0.113.9")  # uses up the other address's anonymous limit
    assert len(deliver()) == 1
    _ask(other.email, OWNER_IP, browser)
    assert deliver() == []


def test_an_address_gets_at_most_the_capped_number_of_links_whoever_asks(
    owner, settings, monkeypatch
):
    settings.SIGN_IN_MAIL_PER_HOUR = 3
    settings.SIGN_IN_MAIL_PER_DAY = 5
    browser = _owners_browser(owner.email)
    cache.clear()
    day = int(time.time()) // 86400 * 86400
    now = [day + 600]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def links_in_an_hour() -> int:
        for i in range(5):
            _ask(owner.email, OWNER_IP, browser)
            _ask(owner.email, f"203.0.113.{i}")  # and strangers too
        now[0] += 3600
        return len(deliver())

    assert [links_in_an_hour() for _ in range(3)] == [3, 2, 0]
    now[0] = day + 86400 + 600  # the next day
    assert links_in_an_hour() == 3


def test_signing_in_marks_the_browser_without_naming_the_address(owner):
    browser = Client()
    browser.get(link_for(browser, owner.email), follow=True)
    cookie = browser.cookies["hub_known"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 400 * 86400
    assert "owner" not in cookie.value and "example" not in cookie.value
