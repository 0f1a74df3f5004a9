"""Every page type at 200% zoom on a 1366 by 900 screen (a 683 by 450 CSS-pixel window at
twice the pixel density, which is what the browser's zoom gives the page): nothing is lost —
no sideways scrolling, the page title, the tabs and the page's own controls all on screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from compliance_hub.certificates.services import cancel_assignment
from compliance_hub.webhooks import services as webhook_services
from compliance_hub.webhooks.events import EVENT_TYPES
from tests.browser import data
from tests.browser.test_phone_pages import fits, portal  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT = 1366 // 2, 900 // 2
ZOOMED = {"viewport": {"width": WIDTH, "height": HEIGHT}, "device_scale_factor": 2}


def within_width(page: Page, selector: str, what: str) -> None:
    """Every element matching ``selector`` is visible and inside the window's width."""
    items = page.locator(selector)
    assert items.count() > 0, what
    for i in range(items.count()):
        item = items.nth(i)
        item.scroll_into_view_if_needed()
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (
            f"{what} {i} is off-screen at 200% zoom: {box}"
        )


def test_facility_pages_at_200_percent_zoom(hub, portal):  # noqa: F811
    page = hub.new_page(session_of=portal.pat, **ZOOMED)
    alder = f"/facilities/{portal.alder.pk}"
    for path, what in (
        (f"{alder}/", "overview"),
        (f"{alder}/certificates/", "certificate table"),
        (f"{alder}/team/", "team"),
        (f"{alder}/audits/", "audits list"),
        (f"{alder}/activity/", "activity log"),
        (f"{alder}/auditors/", "auditors"),
        (f"{alder}/single-sign-on/", "single sign-on"),
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response.status)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile("^" + re.escape(portal.alder.name))
        )
        fits(page, what)
        within_width(page, "nav.facility-nav a", f"{what}: tab")
    page.goto(f"{alder}/certificates/")
    within_width(page, "table.cert-table tbody tr", "table row")
    page.goto(f"{alder}/team/")
    within_width(page, "button:has-text('Remove')", "Remove button")
    page.goto("/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail notifications")
    fits(page, "notification settings")
    within_width(page, "form button", "Save button")


def test_console_at_200_percent_zoom(hub, portal):  # noqa: F811
    page = hub.new_page(session_of=data.partner_staff(portal.partner), **ZOOMED)
    endpoint, _ = webhook_services.create_endpoint(
        portal.partner, url=data.WEBHOOK_URL, events=list(EVENT_TYPES)
    )
    cancel_assignment(portal.rows["dev"])  # one delivery in the endpoint's log
    for path, heading in (
        ("/partner/", re.compile("Facilities")),
        (f"/partner/facilities/{portal.alder.pk}/", portal.alder.name),
        ("/partner/keys/", re.compile("API keys")),
        ("/partner/sign-in/", re.compile("Sign-in security")),
        ("/passkeys/", "Passkeys"),
        ("/partner/single-sign-on/", re.compile("Single sign-on")),
        ("/partner/program/", re.compile("program", re.I)),
        ("/partner/webhooks/", re.compile("Webhooks")),
        (f"/partner/webhooks/{endpoint.pk}/", re.compile("Webhook endpoint")),
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response.status)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        fits(page, path)
    log = page.locator("table.webhook-log").locator("xpath=..")  # its .table-wrap
    assert log.evaluate("e => e.scrollWidth <= e.clientWidth"), "the delivery log scrolls sideways"
    within_width(page, "button:has-text('Redeliver')", "Redeliver button")
