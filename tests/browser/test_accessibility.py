"""axe-core on every page type (no serious or critical violations: WCAG 2.1 A/AA including
colour contrast, and axe's best practices), no console errors anywhere (the ``hub`` fixture
checks), and the screenshots in docs/screenshots/ (SCREENSHOTS=1)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from compliance_hub.certificates import documents
from compliance_hub.certificates.services import cancel_assignment
from compliance_hub.partner_api.keys import create_key
from compliance_hub.webhooks import services as webhook_services
from compliance_hub.webhooks.events import EVENT_TYPES
from tests import factories
from tests.audits.helpers import csv_bytes
from tests.browser import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def portal(transactional_db) -> data.Portal:
    return data.portal()


def visit(hub, page: Page, path: str, what: str, heading: str | re.Pattern, shot: str = "") -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    hub.check_a11y(page, what)
    if shot:
        hub.shot(page, shot)


def test_signed_out_and_public_pages(hub, portal):
    page = hub.new_page()
    visit(hub, page, "/sign-in/", "sign-in page", "Sign in", shot="sign-in")
    page.get_by_role("button", name="E-mail me a sign-in link").click()  # nothing typed
    expect(page.get_by_text("Enter your e-mail address.", exact=True)).to_be_visible()
    hub.check_a11y(page, "sign-in page with an error")

    certificate = documents.ensure_rendered(portal.rows["dev"].current_certificate)
    visit(
        hub,
        page,
        f"/v/{certificate.number}/{certificate.check_code}/",
        "verification result",
        re.compile(certificate.number),
        shot="verify",
    )
    expect(page.get_by_text("Genuine and current.")).to_be_visible()
    visit(hub, page, "/verify/", "verification form", re.compile("Verify"))

    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(
        page.get_by_role("link", name=re.compile("home page|sign in", re.I)).first
    ).to_be_visible()
    hub.check_a11y(page, "404 page")
    hub.shot(page, "not-found")


def test_facility_pages(hub, portal, tmp_path):
    page = hub.new_page(session_of=portal.pat)
    alder = portal.alder.pk
    visit(
        hub, page, f"/facilities/{alder}/", "facility overview", portal.alder.name, shot="overview"
    )
    visit(hub, page, f"/facilities/{alder}/certificates/", "certificate table", portal.alder.name)
    expect(page.locator("time").first).to_have_text("Mar 4, 2026")
    hub.shot(page, "table")
    visit(
        hub,
        page,
        f"/facilities/{alder}/certificates/?effective_from=2030-01-01",
        "table, nothing matches",
        portal.alder.name,
    )
    expect(page.get_by_text("No assignments match these filters.", exact=True)).to_be_visible()
    visit(
        hub,
        page,
        f"/facilities/{alder}/certificates/?active_from=2026-02-01&active_to=2026-02-28",
        "table with its filters folded into one line",
        portal.alder.name,
    )
    expect(page.locator("details.filters summary")).to_contain_text("Edit filters")
    page.get_by_text("Edit filters").click()
    expect(page.get_by_role("button", name="Apply")).to_be_visible()
    hub.check_a11y(page, "table with its filter panel opened again")
    visit(
        hub,
        page,
        f"/facilities/{alder}/certificates/?end_to=2026-02-30",
        "table with a filter error",
        portal.alder.name,
    )
    expect(page.get_by_role("alert")).to_contain_text("not a real date")
    history = portal.rows["cara"]
    visit(
        hub,
        page,
        f"/facilities/{alder}/assignments/{history.pk}/",
        "certificate history",
        re.compile(portal.alder.name),
        shot="certificate-history",
    )
    expect(page.get_by_text("Cara Diaz").first).to_be_visible()
    visit(hub, page, f"/facilities/{alder}/team/", "team page", re.compile("Team"), shot="team")
    visit(
        hub, page, f"/facilities/{alder}/single-sign-on/", "single sign-on", re.compile("sign-on")
    )
    expect(page.get_by_text(f"Certificates of insurance from {data.PARTNER}")).to_be_visible()
    visit(hub, page, "/sign-out/", "sign-out page", "Sign out")
    visit(hub, page, "/notifications/", "notification settings", "E-mail notifications")
    page.get_by_label("Weekly digest").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("weekly digest off")
    hub.check_a11y(page, "notification settings, saved")
    visit(hub, page, f"/facilities/{alder}/activity/", "activity log", re.compile("Activity"))
    hub.shot(page, "activity")

    # Audits: the list, an upload, the column check, the result.
    visit(hub, page, f"/facilities/{alder}/audits/", "audits list", re.compile("Audit"))
    expect(page.get_by_text(f"Certificates of insurance from {data.PARTNER}")).to_be_visible()
    page.get_by_role("link", name="New reconciliation").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    hub.check_a11y(page, "audit upload")
    schedule = tmp_path / "payments.csv"
    schedule.write_bytes(
        csv_bytes(
            [
                ["Payee", "Work date", "Amount"],
                ["Patel, Dev", "03/04/2026", "$412.00"],
                ["Cara Diaz", "02/25/2026", "$380.50"],
                ["Ann Lee", "01/12/2026", "$150.00"],
            ]
        )
    )
    page.get_by_label("Schedule of payments").set_input_files(str(schedule))
    page.get_by_role("button", name="Upload and check the columns").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the columns")
    expect(page.locator("#audit-preview")).to_contain_text("all can be read")
    hub.check_a11y(page, "audit column mapping")
    page.get_by_role("button", name="Run the reconciliation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reconciliation of payments.csv")
    hub.check_a11y(page, "audit result")
    hub.shot(page, "audit-result")


def test_a_facility_with_no_assignments_yet(hub, transactional_db):
    partner = factories.partner(name=data.PARTNER)
    empty = factories.facility(partner, name="Cedar Lodge")
    person = factories.member(empty, factories.person("new@cedar.example"), role="primary")
    page = hub.new_page(session_of=person)
    visit(hub, page, f"/facilities/{empty.pk}/certificates/", "empty table", "Cedar Lodge")
    expect(page.get_by_text("No assignments at Cedar Lodge yet.")).to_be_visible()
    expect(page.get_by_text(f"as soon as {data.PARTNER} books contractors")).to_be_visible()
    hub.shot(page, "table-empty")

    # The passkeys page (its ceremonies: tests/browser/test_passkeys.py, with an authenticator).
    visit(hub, page, "/passkeys/", "passkeys page", "Passkeys")

    nobody = hub.new_page(session_of=factories.person("lost@example.com"))
    visit(hub, nobody, "/", "no facilities yet", "No facilities yet")


def test_partner_console(hub, portal):
    ops = data.partner_staff(portal.partner)
    create_key(portal.partner, name="Scheduling system")
    page = hub.new_page(session_of=ops)
    visit(hub, page, "/partner/", "console facilities", re.compile("Facilities"), shot="console")
    visit(
        hub,
        page,
        f"/partner/facilities/{portal.alder.pk}/",
        "console facility",
        portal.alder.name,
        shot="console-facility",
    )
    visit(hub, page, "/partner/keys/", "console keys", re.compile("API keys"))
    visit(hub, page, "/partner/sign-in/", "console sign-in security", re.compile("Sign-in"))
    visit(hub, page, "/partner/single-sign-on/", "console single sign-on", "Single sign-on")
    visit(hub, page, "/partner/activity/", "partner activity", re.compile("Activity"))
    visit(hub, page, "/partner/webhooks/", "console webhooks, none yet", "Webhooks")
    endpoint, _ = webhook_services.create_endpoint(
        portal.partner, url=data.WEBHOOK_URL, events=list(EVENT_TYPES), description="Payroll"
    )
    cancel_assignment(portal.rows["dev"])  # a certificate.voided delivery, waiting
    visit(hub, page, "/partner/webhooks/", "console webhooks", "Webhooks", shot="console-webhooks")
    webhook = f"/partner/webhooks/{endpoint.pk}/"
    visit(hub, page, webhook, "console webhook endpoint", re.compile("Webhook endpoint"))
    visit(hub, page, webhook + "delete/", "delete a webhook endpoint", re.compile("Delete"))
