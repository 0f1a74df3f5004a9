"""Anonymous visitors store nothing on the server: made-up sign-in links, codes and requests for
links write no session, and failed links at most one activity row per client an hour.

The pages remember what they must in signed cookies (accounts/sessions.py); failures are
counted in the cache, and a client past SIGN_IN_FAILURES_PER_IP made-up links an hour gets 429.
"""

import string

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.activity.models import Activity
from tests import factories
from tests.accounts.helpers import ask_for_link, is_signed_in, link_for

pytestmark = pytest.mark.django_db
MANY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TOKENS = st.text(string.ascii_letters + string.digits + "_-", min_size=20, max_size=100)
CLIENTS = st.sampled_from(["203.0.113.1", "203.0.113.2", "2001:db8::7"])


@pytest.fixture
def kim(facility):
    return factories.member(facility, factories.person("kim@example.com"))


@MANY
@given(token=TOKENS, ip=CLIENTS)
def test_made_up_links_store_no_session_and_at_most_one_row_per_client(kim, token, ip):
    browser = Client(REMOTE_ADDR=ip)
    for response in (
        browser.get(f"/sign-in/{token}/"),
        browser.get("/sign-in/confirm/"),
        browser.post("/sign-in/confirm/"),
        browser.post("/sign-in/renew/"),
    ):
        assert response.status_code in (302, 410, 429)
        assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
    failures = Activity.objects.filter(verb="sign_in_failed")
    assert failures.count() <= 3  # one per client
    assert failures.filter(ip=ip).count() <= 1
    assert not Activity.objects.exclude(verb="sign_in_failed").exists()


@pytest.fixture
def waiting_browser(kim) -> str:
    """The ``hub_signin`` cookie of a browser with a live code (the same for every example)."""
    laptop = Client()
    assert ask_for_link(laptop, kim.email)
    return laptop.cookies["hub_signin"].value


@MANY
@given(code=st.text(max_size=24), with_cookie=st.booleans())
def test_codes_typed_anywhere_store_nothing(waiting_browser, code, with_cookie):
    before = Activity.objects.count()
    browser = Client()
    if with_cookie:
        browser.cookies["hub_signin"] = waiting_browser
    response = browser.post("/sign-in/code/", {"code": code})
    assert response.status_code == 400
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
    assert Activity.objects.count() == before


@MANY
@given(email=st.emails())
def test_requests_for_links_store_no_session(email):
    response = Client().post("/sign-in/", {"email": email})
    assert response.status_code in (302, 400)
    assert not Session.objects.exists()


def test_past_the_limit_made_up_links_get_429_and_real_links_still_work(kim, settings):
    settings.SIGN_IN_FAILURES_PER_IP = 3
    browser = Client(REMOTE_ADDR="203.0.113.3")
    statuses = [browser.get(f"/sign-in/{'x' * 42}{i}/").status_code for i in range(5)]
    assert statuses == [410, 410, 410, 429, 429]
    assert Activity.objects.filter(verb="sign_in_failed").count() == 1
    browser.get(link_for(Client(), kim.email))
    browser.post("/sign-in/confirm/")
    assert is_signed_in(browser, kim.email)
