"""The table in a real browser (Chromium): the switcher's script, filters by keyboard, a phone."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.portal.conftest import book

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = os.environ.get("HUB_SCREENSHOTS", "")  # a directory, to look at the pages


@pytest.fixture
def two_facilities(transactional_db):
    partner = factories.partner(name="Shiftwise Staffing")
    first = factories.facility(partner, name="Alder Court")
    second = factories.facility(partner, name="Birch House")
    person = factories.member(first)
    factories.member(second, person)
    ann = factories.contractor(partner, "Ann", "Lee")
    bob = factories.contractor(partner, "Bob", "Stone")
    book(first, ann, date(2025, 1, 1), date(2025, 1, 3), description="Registered nurse")
    book(first, bob, date(2025, 2, 1), date(2025, 2, 1))
    book(second, bob, date(2025, 3, 1), date(2025, 3, 2), description="Forklift driver")
    client = Client()
    client.force_login(person)
    return first, second, client.cookies["sessionid"].value


def _browser_page(playwright, live_server, session, **context_options):
    browser = playwright.chromium.launch(executable_path=CHROMIUM)
    context = browser.new_context(**context_options)
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return browser, page, errors


def test_switcher_opens_the_chosen_facility_on_change(live_server, two_facilities):
    first, second, session = two_facilities
    with sync_playwright() as p:
        browser, page, errors = _browser_page(p, live_server, session)
        page.goto(f"{live_server.url}/facilities/{first.pk}/certificates/?active_from=2025-01-01")
        expect(page.get_by_role("heading", level=1)).to_have_text("Alder Court")
        expect(page.get_by_role("button", name="Go")).to_be_hidden()  # the script took over
        if SCREENSHOTS:
            page.set_viewport_size({"width": 1280, "height": 900})
            page.screenshot(path=f"{SCREENSHOTS}/table-desktop.png", full_page=True)
        page.get_by_label("Facility").select_option(label="Birch House")
        page.wait_for_url(re.compile(rf"/facilities/{second.pk}/certificates/\?active_from="))
        expect(page.get_by_role("heading", level=1)).to_have_text("Birch House")
        expect(page.get_by_role("row")).to_have_count(2)  # header + Bob's row
        assert errors == []
        browser.close()


def test_filters_by_keyboard_and_a_phone_sized_screen(live_server, two_facilities):
    first, _second, session = two_facilities
    with sync_playwright() as p:
        browser, page, errors = _browser_page(
            p, live_server, session, viewport={"width": 390, "height": 844}, is_mobile=True
        )
        page.goto(f"{live_server.url}/facilities/{first.pk}/certificates/")
        expect(page.get_by_text("2 assignments")).to_be_visible()
        # The filter panel folds away on a phone, so the first rows are on the first screen.
        panel = page.locator("details.filters")
        assert panel.evaluate("d => d.open") is False
        first_link = page.get_by_role("link", name=re.compile("^View certificate")).first
        assert first_link.bounding_box()["y"] < 844
        page.get_by_text("Filter assignments").click()
        assert panel.evaluate("d => d.open") is True
        # Nothing wider than the phone: the table turned into stacked rows.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        wrap = page.evaluate(
            "(() => { const w = document.querySelector('.table-wrap');"
            " return [w.scrollWidth, w.clientWidth]; })()"
        )
        assert wrap[0] <= wrap[1], wrap  # no sideways scrolling inside the table either
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/table-390.png", full_page=True)
        expect(page.get_by_role("link", name=re.compile("^Download certificate"))).to_have_count(2)
        search = page.get_by_label("Contractor name")
        search.focus()
        page.keyboard.type("lee")
        page.keyboard.press("Enter")  # submits the GET form, like Apply
        page.wait_for_url(re.compile(r"\?.*q=lee"))
        expect(page.get_by_text("1 assignment", exact=True)).to_be_visible()
        # Applied, the filters fold into one line with the count; the rows are right below.
        assert panel.evaluate("d => d.open") is False
        expect(panel.locator("summary")).to_contain_text("Contractor name “lee”")
        expect(page.locator(".contractor")).to_have_text(["Ann Lee"])
        page.get_by_text("Edit filters").click()
        page.get_by_role("link", name="Clear").click()
        expect(page.get_by_text("2 assignments")).to_be_visible()
        # An impossible date typed into the URL: a message by the field, the table still there.
        page.goto(f"{live_server.url}/facilities/{first.pk}/certificates/?end_to=2025-02-30")
        expect(page.get_by_role("alert")).to_contain_text("not a real date")
        expect(page.locator(".contractor")).to_have_count(2)
        assert errors == []
        browser.close()
