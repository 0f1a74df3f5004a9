"""Sending an address to its provider counts against the same per-client sign-in limit as
asking for a link (accounts.services.within_limits): one budget, whichever way."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.sso.conftest import configure
from tests.sso.test_sign_in import text

pytestmark = pytest.mark.django_db


def test_a_client_over_the_sign_in_limit_is_not_sent_to_the_provider(oidc_provider, settings):
    settings.SIGN_IN_RATE_PER_IP = 2
    facility = factories.facility()
    nurse = factories.member(facility, factories.person("nurse@health.example"))
    configure(facility, oidc_provider, "health.example")
    client = Client()
    client.post("/sign-in/", {"email": "someone@elsewhere.example"})  # a link request
    assert client.post("/sign-in/", {"email": nurse.email}).status_code == 200  # to the provider
    response = client.post("/sign-in/", {"email": nurse.email})
    assert response.status_code == 429 and "Too many sign-in attempts" in text(response)
