"""``compliance-hub demo-link`` prints a working, one-time link for the demo primary contact."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.accounts.helpers import is_signed_in

pytestmark = pytest.mark.django_db


def test_demo_link_signs_in_the_demo_primary_contact():
    call_command("seed-demo", "--contractors", "20", "--scale", "0.002", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo-link", "--ttl", "1800", stdout=out)
    text = out.getvalue()
    assert "alex.morgan@stmarys.example" in text
    assert "30 minutes" in text
    assert len(text.strip().splitlines()) <= 5
    path = re.search(r"http://testserver(/sign-in/[A-Za-z0-9_\-]{40,}/)", text).group(1)
    browser = Client()
    page = browser.get(path, follow=True)
    assert "Sign in as a…@stmarys.example" in page.content.decode()
    assert not is_signed_in(browser)
    browser.post("/sign-in/confirm/")
    assert is_signed_in(browser, "alex.morgan@stmarys.example")
    again = Client()
    again.get(path)
    assert again.get("/sign-in/confirm/").status_code == 410


def test_demo_link_without_demo_data_explains():
    with pytest.raises(CommandError, match="seed-demo"):
        call_command("demo-link", stdout=io.StringIO())
