"""A partner creates an API key in the console: shown once, copied with one click, and a reload
creates no second key (POST/redirect/GET); without JavaScript the key is still there to copy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from compliance_hub.facilities.models import Partner
from compliance_hub.partner_api.models import ApiKey
from tests import factories
from tests.browser import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def partner(transactional_db) -> Partner:
    return factories.partner(name=data.PARTNER)


def test_create_a_key_copy_it_reload_and_there_is_still_one_key(hub, partner):
    staff = data.partner_staff(partner)
    page = hub.new_page(session_of=staff)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=hub.url)
    page.goto("/partner/keys/")
    page.get_by_label("What is the key for?").fill("Payroll sync")
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_role("heading", name="Your new API key")).to_be_visible()
    assert page.url == f"{hub.url}/partner/keys/"  # the POST redirected to a plain GET
    raw = page.get_by_label("API key", exact=True).input_value()
    assert raw.startswith("chk_live_")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == raw
    hub.check_a11y(page, "the new API key")

    page.reload()
    expect(page.get_by_role("heading", name="API keys", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Your new API key")).to_have_count(0)
    assert raw not in page.content()
    assert ApiKey.objects.filter(partner=partner).count() == 1
    expect(page.get_by_text("Payroll sync", exact=True)).to_have_count(1)


def test_without_javascript_the_key_is_shown_once_to_select_and_copy(hub, partner):
    staff = data.partner_staff(partner)
    page = hub.new_page(session_of=staff, java_script_enabled=False)
    page.goto("/partner/keys/")
    page.get_by_label("What is the key for?").fill("Nightly import")
    page.get_by_role("button", name="Create API key").click()
    field = page.get_by_label("API key", exact=True)
    assert field.input_value().startswith("chk_live_")
    expect(page.get_by_role("button", name="Copy")).to_be_hidden()  # needs the script
    page.reload()
    expect(page.get_by_label("API key", exact=True)).to_have_count(0)
    assert ApiKey.objects.filter(partner=partner).count() == 1
