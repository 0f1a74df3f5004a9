"""Operators reach the admin through the e-mail sign-in; nobody else gets in."""

from urllib.parse import quote

import pytest
from django.test import Client

from tests import factories
from tests.accounts.helpers import link_for

pytestmark = pytest.mark.django_db


def test_admin_login_redirects_to_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1] == (f"/sign-in/?next={quote('/admin/', safe='')}", 302)
    assert 'name="next" value="/admin/"' in response.content.decode()


def test_operator_signs_in_and_lands_in_admin():
    operator = factories.person("ops@hub.example", is_staff=True, is_superuser=True)
    browser = Client()
    browser.get("/admin/", follow=True)
    path = link_for(browser, operator.email, next_url="/admin/")
    response = browser.get(path, follow=True)
    assert response.redirect_chain[-1] == ("/admin/", 302)
    assert response.status_code == 200
    assert "Compliance Hub operator admin" in response.content.decode()


def test_non_operator_cannot_use_admin(facility):
    person = factories.member(facility)
    browser = Client()
    path = link_for(browser, person.email)
    browser.get(path, follow=True)
    response = browser.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "Operators only" in response.content.decode()


def test_admin_has_no_password_form(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 302
