"""Django's own session store and authentication backend, and the upgrade to them: people
signed in before it (their sessions name the deleted ``PersonBackend``) stay signed in."""

import importlib
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from compliance_hub.accounts.sessions import AUTH_AT, SEEN_AT
from tests import factories
from tests.accounts.test_sessions import signed_in_client

pytestmark = pytest.mark.django_db

UPGRADE = importlib.import_module(
    "compliance_hub.accounts.migrations.0005_sessions_name_the_stock_backend"
)
OLD_BACKEND = "compliance_hub.accounts.backends.PersonBackend"
STOCK_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def lee(facility):
    return factories.member(facility, factories.person("lee@example.com"))


def _team(facility) -> str:
    return f"/facilities/{facility.pk}/team/"


def _signed_in_by_the_previous_version(person, backend: str = OLD_BACKEND) -> Client:
    """A browser whose session the previous version wrote when the person signed in."""
    now = int(time.time())
    store = SessionStore()
    store.update(
        {
            SESSION_KEY: str(person.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: person.get_session_auth_hash(),
            AUTH_AT: now,
            SEEN_AT: now,
        }
    )
    store.create()
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = str(store.session_key)
    return browser


def test_people_signed_in_before_the_upgrade_stay_signed_in(lee, facility):
    other = factories.member(facility, factories.person("other@example.com"))
    before = _signed_in_by_the_previous_version(lee)
    stock = _signed_in_by_the_previous_version(other, backend=STOCK_BACKEND)
    # Django ignores a session naming a backend it does not list: the upgrade must rename it.
    assert before.get(_team(facility)).status_code == 302

    UPGRADE.name_the_stock_backend(None, None)

    for browser, person in ((before, lee), (stock, other)):
        page = browser.get(_team(facility))
        assert page.status_code == 200
        assert person.email in page.content.decode()
    assert {s.get_decoded()[BACKEND_SESSION_KEY] for s in Session.objects.all()} == {STOCK_BACKEND}


def test_signing_in_names_djangos_own_backend(lee):
    browser = signed_in_client(lee.email)
    session = Session.objects.get(session_key=browser.cookies["sessionid"].value)
    assert session.get_decoded()[BACKEND_SESSION_KEY] == STOCK_BACKEND


def test_a_session_past_its_expiry_date_is_signed_out(lee, facility):
    browser = signed_in_client(lee.email)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = browser.get(_team(facility))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_a_deactivated_person_is_signed_out_on_their_next_request(lee, facility):
    browser = signed_in_client(lee.email)
    assert browser.get(_team(facility)).status_code == 200
    lee.is_active = False
    lee.save()
    assert browser.get(_team(facility)).status_code == 302
