"""The session store and backend that every signed-in request goes through (compiled SQL)."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.accounts.test_sessions import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def lee(facility):
    return factories.member(facility, factories.person("lee@example.com"))


def _team(facility) -> str:
    return f"/facilities/{facility.pk}/team/"


def test_sign_in_records_the_compiled_backend(lee, facility):
    browser = signed_in_client(lee.email)
    assert browser.get(_team(facility)).status_code == 200
    session = Session.objects.get(session_key=browser.cookies["sessionid"].value)
    assert session.get_decoded()[BACKEND_SESSION_KEY].endswith("PersonBackend")


def test_a_session_past_its_expiry_date_is_signed_out(lee, facility):
    browser = signed_in_client(lee.email)
    key = browser.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = browser.get(_team(facility))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_an_unknown_session_key_is_signed_out(facility):
    browser = Client()
    browser.cookies["sessionid"] = "x" * 32
    response = browser.get(_team(facility))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_a_deactivated_person_is_signed_out_on_their_next_request(lee, facility):
    browser = signed_in_client(lee.email)
    assert browser.get(_team(facility)).status_code == 200
    lee.is_active = False
    lee.save()
    assert browser.get(_team(facility)).status_code == 302


def test_a_session_naming_no_person_is_signed_out(lee, facility):
    browser = signed_in_client(lee.email)
    session = browser.session
    session[SESSION_KEY] = "999999"
    session.save()
    assert browser.get(_team(facility)).status_code == 302


def test_sessions_signed_in_before_the_upgrade_stay_signed_in(lee, facility):
    """Sessions from before PersonBackend name Django's ModelBackend; still accepted."""
    browser = Client()
    browser.force_login(lee, backend="django.contrib.auth.backends.ModelBackend")
    response = browser.get(_team(facility))
    assert response.status_code == 200
    assert lee.email in response.content.decode()
