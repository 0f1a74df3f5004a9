"""``next`` accepts only local paths of known pages: open-redirect attempts go home."""

import pytest
from django.test import Client

from compliance_hub.accounts.redirects import safe_next
from tests import factories
from tests.accounts.helpers import link_for

pytestmark = pytest.mark.django_db

ATTACKS = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "/\tevil.example",
    " /admin/",
    "/admin/../..//evil.example",
    "/admin//evil.example",
    "evil.example",
    "/no-such-page/",
    "/sign-in/",
    "/sign-out/",
    "/sign-in/confirm/",
    "/invitations/accept/",
    "/admin/#@evil.example",
    "/" + "a" * 600,
]


@pytest.mark.parametrize("value", ATTACKS)
def test_attacks_are_refused(value):
    assert safe_next(value) == ""


@pytest.mark.parametrize("value", ["/", "/admin/", "/admin/accounts/person/?q=x"])
def test_known_local_pages_are_accepted(value):
    assert safe_next(value) == value


def test_team_page_is_a_known_page(facility):
    assert safe_next(f"/facilities/{facility.pk}/team/") == f"/facilities/{facility.pk}/team/"


@pytest.mark.parametrize("value", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_sign_in_ends_at_home_when_next_is_hostile(facility, value):
    person = factories.member(facility)
    path = link_for(Client(), person.email, next_url=value)
    device = Client()
    device.get(path)
    response = device.post("/sign-in/confirm/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_hostile_next_is_not_echoed_into_the_form(client):
    response = client.get("/sign-in/?next=https://evil.example/")
    assert "evil.example" not in response.content.decode()
