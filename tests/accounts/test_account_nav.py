"""The header's account area."""

import pytest
from django.test import Client

from tests import factories
from tests.accounts.helpers import link_for

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_see_only_a_sign_in_link(client):
    body = client.get("/sign-in/").content.decode()
    nav = body.split('<nav aria-label="Account"')[1].split("</nav>")[0]
    assert '<a href="/sign-in/">Sign in</a>' in nav
    assert "Sign out" not in nav


def test_signed_in_person_sees_email_and_sign_out_form(facility):
    person = factories.member(facility, factories.person("nav@example.com"))
    browser = Client()
    browser.get(link_for(browser, person.email), follow=True)
    body = browser.get("/sign-out/").content.decode()
    nav = body.split('<nav aria-label="Account"')[1].split("</nav>")[0]
    assert "nav@example.com" in nav
    assert '<form method="post" action="/sign-out/"' in nav
    assert 'name="csrfmiddlewaretoken"' in nav
