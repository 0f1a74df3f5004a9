"""The audit journey in a real browser (Chromium): upload, the preview follows the mapping, run,
results with timelines — and the same on a phone."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from django.test import Client
from playwright.sync_api import expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests import factories
from tests.audits.helpers import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
PORTS = range(8501, 8520)  # this area's ports
SCREENSHOTS = os.environ.get("HUB_SCREENSHOTS", "")  # a directory, to look at the pages


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.fixture
def audit_server(transactional_db):
    """A live server on the first free port of this area's range."""
    error: Exception | None = None
    for port in PORTS:
        try:
            server = LiveServer(f"127.0.0.1:{port}")
        except OSError as exc:
            error = exc
            continue
        server._live_server_modified_settings.enable()
        yield server
        server._live_server_modified_settings.disable()
        server.stop()
        return
    raise RuntimeError(f"no free port in {PORTS}: {error}")


@pytest.fixture
def member_session(transactional_db):
    partner = factories.partner(name="Shiftwise Staffing")
    facility = factories.facility(partner, name="Alder Court")
    person = factories.member(facility)
    jane = factories.contractor(partner, "Jane", "Doe")
    factories.assignment(facility, jane, date(2026, 3, 1), date(2026, 3, 10))
    client = Client()
    client.force_login(person)
    return facility, client.cookies["sessionid"].value


def _page(playwright, server, session, **options):
    browser = playwright.chromium.launch(executable_path=CHROMIUM)
    context = browser.new_context(**options)
    context.add_cookies([{"name": "sessionid", "value": session, "url": server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return browser, page, errors


def _schedule(tmp_path):
    path = tmp_path / "payments.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Payee", "Work date", "Amount", "Notes"],
                ["Doe, Jane", "03/05/2026", "$1,234.50", "12"],
                ["Jane Doe", "03/14/2026", "(12.00)", "oops"],
            ]
        )
    )
    return path


def test_upload_map_preview_and_run(audit_server, member_session, tmp_path):
    facility, session = member_session
    with sync_playwright() as p:
        browser, page, errors = _page(p, audit_server, session)
        page.goto(f"{audit_server.url}/facilities/{facility.pk}/audits/")
        page.get_by_role("link", name="New reconciliation").first.click()
        page.get_by_label("Schedule of payments").set_input_files(str(_schedule(tmp_path)))
        page.get_by_role("button", name="Upload and check the columns").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Check the columns")
        preview = page.locator("#audit-preview")
        expect(preview).to_contain_text("1,234.50")
        # Choosing the "Notes" column as the amount refreshes the preview by itself.
        page.get_by_label("Amount", exact=True).select_option(label="D: Notes")
        expect(page.locator("#audit-preview")).to_contain_text("“oops” is not an amount")
        expect(page.locator("#audit-run")).to_contain_text("Run anyway")
        page.get_by_label("Amount", exact=True).select_option(label="C: Amount")
        expect(page.locator("#audit-preview")).to_contain_text("all can be read")
        _shot(page, "audit-mapping")
        page.get_by_role("button", name="Run the reconciliation").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Reconciliation of payments.csv"
        )
        expect(page.get_by_text("Reconciled 2 payment rows from payments.csv.")).to_be_visible()
        timeline = page.get_by_role("img", name="Coverage timeline of Jane Doe")
        expect(timeline).to_be_visible()
        _shot(page, "audit-result")
        page.get_by_label("Status").select_option(label="Not covered")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"status=not_covered"))
        expect(page.locator("table.audit-rows tbody tr")).to_have_count(1)
        assert errors == []
        browser.close()


def test_result_page_on_a_phone(audit_server, member_session, tmp_path):
    facility, session = member_session
    client_data = _schedule(tmp_path).read_bytes()
    from compliance_hub.accounts.models import Person
    from compliance_hub.audits import services
    from compliance_hub.audits.columns import guess_mapping

    person = Person.objects.get(memberships__facility=facility)
    upload = services.keep_upload(facility, person, "payments.csv", client_data)
    reconciliation = services.run(
        upload,
        guess_mapping(services.table_of(upload).header),
        include_unreadable=False,
        person=person,
    )
    with sync_playwright() as p:
        browser, page, errors = _page(
            p, audit_server, session, viewport={"width": 390, "height": 844}, is_mobile=True
        )
        page.goto(f"{audit_server.url}/facilities/{facility.pk}/audits/{reconciliation.pk}/")
        expect(page.get_by_role("link", name="Download the audit packet (ZIP)")).to_be_visible()
        # The page does not scroll sideways; the timeline scales to the screen's width.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        box = page.get_by_role("img", name="Coverage timeline of Jane Doe").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert box["width"] >= 300  # it uses the width there is, not a thumbnail
        _shot(page, "audit-result-phone")
        assert errors == []
        browser.close()
