"""Every page type on a phone (390 by 844 pixels), as each role sees it: nothing wider than
the screen (no sideways scrolling of the document), tables read as labelled cards, and the
controls people come for (Remove, Revoke, statuses) are on the screen, not clipped off its
side."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from compliance_hub.auditors import services as auditors
from compliance_hub.certificates import documents, services
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Invitation, Membership
from compliance_hub.partner_api.keys import create_key
from tests import factories
from tests.audits.helpers import csv_bytes, run_schedule
from tests.browser import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT = 390, 844
PHONE = {"viewport": {"width": WIDTH, "height": HEIGHT}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def portal(transactional_db, mailbox) -> data.Portal:
    """The journeys' facilities, with a teammate of Pat's, a pending invitation (and an
    expired one) and a cancelled assignment (a void certificate) at Alder Court."""
    portal = data.portal()
    factories.member(
        portal.alder, factories.person("tom.team@alder.example", name="Tom Team"), role="member"
    )
    for email in ("new.nurse@alder.example", "late.long.address.for.a.phone@alder.example"):
        invitations.invite(
            email=email, facilities=[portal.alder], role="member", by=invitations.By(portal.pat)
        )
    Invitation.objects.filter(email__startswith="late.").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with transaction.atomic():
        services.cancel_assignment(portal.rows["eve"])
    return portal


def teammate(portal: data.Portal):
    return Membership.objects.get(facility=portal.alder, role="member").person


def fits(page: Page, what: str) -> None:
    """Nothing on the page is wider than the phone: the document does not scroll sideways."""
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{what} ({page.url}) is {width}px wide on a {inner}px screen"


def on_screen(control: Locator, what: str) -> None:
    """``control`` is visible and lies within the screen's width (scrolled to, if below)."""
    expect(control).to_be_visible()
    control.scroll_into_view_if_needed()
    box = control.bounding_box()
    assert box is not None, what
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{what} is off-screen: {box}"


def visit(hub, page: Page, path: str, what: str, heading: str | re.Pattern) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    fits(page, what)


def cards(page: Page) -> None:
    """The tables on the page are stacked cards: a cell's label is in front of its value."""
    cell = page.locator(".table-wrap td[data-label]").first
    expect(cell).to_be_visible()
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"').endswith(": "), label
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"


def test_a_primary_contact_on_a_phone(hub, portal, tmp_path):
    page = hub.new_page(session_of=portal.pat, **PHONE)
    alder = f"/facilities/{portal.alder.pk}"
    name = portal.alder.name

    visit(hub, page, f"{alder}/", "facility overview", name)
    expect(page.get_by_role("heading", name="Pending invitations")).to_be_visible()
    on_screen(page.get_by_text("Void", exact=True).first, "the void certificate's status")
    cards(page)

    # The table: after Apply, the filters fold into one line and the first row is on screen.
    visit(hub, page, f"{alder}/certificates/", "certificate table", name)
    page.get_by_text("Filter assignments").tap()
    page.get_by_label("From").nth(2).fill("2026-02-01")  # "Active during"
    page.get_by_label("To").nth(2).fill("2026-02-28")
    page.get_by_role("button", name="Apply").tap()
    page.wait_for_url(re.compile(r"active_to=2026-02-28"))
    expect(page.locator("details.filters summary")).to_contain_text("Edit filters")
    expect(page.locator("details.filters summary")).to_contain_text("2 assignments")
    first = page.locator("table.cert-table tbody tr").first
    box = first.bounding_box()
    assert box is not None and box["y"] + 40 < HEIGHT, f"first row at {box} below the screen"
    fits(page, "filtered table")
    hub.shot(page, "table-phone-filtered", full_page=False)
    history = page.get_by_role("link", name=re.compile("^History")).first
    history.tap()
    page.wait_for_url(re.compile(r"/assignments/\d+/\?active_from=2026-02-01"))
    fits(page, "certificate history")
    cards(page)
    page.get_by_role("link", name="← All assignments").tap()
    page.wait_for_url(re.compile(r"/certificates/\?active_from=2026-02-01&active_to=2026-02-28"))

    visit(hub, page, f"{alder}/team/", "team page", re.compile("Team"))
    cards(page)
    on_screen(page.get_by_role("button", name="Remove tom.team@alder.example"), "Remove")
    on_screen(
        page.get_by_role("button", name=re.compile("^Revoke the invitation to late")), "Revoke"
    )
    on_screen(page.get_by_text("Expired", exact=True), "an expired invitation's status")
    page.evaluate("window.scrollTo(0, 0)")
    hub.shot(page, "team-phone")

    visit(hub, page, f"{alder}/activity/", "activity log", re.compile("Activity"))
    cards(page)

    # Audits: the list, an upload, the column check, the result with its timelines.
    visit(hub, page, f"{alder}/audits/", "audits list", re.compile("Audit"))
    page.get_by_role("link", name="New reconciliation").first.tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New reconciliation")
    fits(page, "audit upload")
    schedule = tmp_path / "payments.csv"
    schedule.write_bytes(
        csv_bytes(
            [
                ["Payee", "Work date", "Amount"],
                ["Patel, Dev", "03/04/2026", "$412.00"],
                ["Cara Diaz", "02/25/2026", "$380.50"],
                ["Eve Moss", "12/16/2025", "$150.00"],
                ["Nobody Known", "01/12/2026", "$99.00"],
            ]
        )
    )
    page.get_by_label("Schedule of payments").set_input_files(str(schedule))
    page.get_by_role("button", name="Upload and check the columns").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the columns")
    fits(page, "audit column mapping")
    page.get_by_role("button", name="Run the reconciliation").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reconciliation of payments.csv")
    fits(page, "audit result")
    cards(page)
    rows = page.locator("table.audit-rows tbody tr")
    expect(rows).to_have_count(4)
    for i in range(4):
        on_screen(rows.nth(i).locator("td[data-label=Status] .badge").first, f"row {i} status")
    timeline = page.locator("svg.timeline").first
    on_screen(timeline, "a coverage timeline")
    hub.shot(page, "audit-result-phone")
    visit(hub, page, f"{alder}/audits/", "audits list with a reconciliation", re.compile("Audit"))
    cards(page)
    hub.check_a11y(page, "audits list on a phone")


def test_a_teammate_on_a_phone(hub, portal):
    page = hub.new_page(session_of=teammate(portal), **PHONE)
    alder = f"/facilities/{portal.alder.pk}"
    for path, what in (
        ("/", "landing page"),
        (f"{alder}/", "facility overview"),
        (f"{alder}/certificates/", "certificate table"),
        (f"{alder}/team/", "team page"),
        (f"{alder}/audits/", "audits list"),
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response.status)
        fits(page, what)
    # A teammate removes nobody, but can leave; the button is on the screen.
    expect(page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    page.goto(f"{alder}/team/")
    on_screen(page.get_by_role("button", name="Leave this facility"), "Leave")
    response = page.goto(f"{alder}/activity/")
    assert response is not None and response.status == 403
    fits(page, "activity (primary contacts only)")


def test_a_partner_on_a_phone(hub, portal):
    ops = data.partner_staff(portal.partner)
    create_key(portal.partner, name="Scheduling system with a long descriptive name")
    page = hub.new_page(session_of=ops, **PHONE)
    visit(hub, page, "/partner/", "console facilities", re.compile("Facilities"))
    cards(page)
    visit(
        hub, page, f"/partner/facilities/{portal.alder.pk}/", "console facility", portal.alder.name
    )
    cards(page)
    on_screen(page.get_by_role("button", name="Remove pat.primary@alder.example"), "Remove")
    on_screen(
        page.get_by_role("button", name=re.compile("^Revoke the invitation to new")), "Revoke"
    )
    visit(hub, page, "/partner/keys/", "console keys", re.compile("API keys"))
    cards(page)
    on_screen(page.get_by_role("button", name=re.compile("^Revoke the key")), "Revoke a key")
    on_screen(page.get_by_text("Active", exact=True).first, "a key's status")
    visit(hub, page, "/partner/activity/", "partner activity", re.compile("Activity"))
    cards(page)


def test_signed_out_pages_on_a_phone(hub, portal):
    page = hub.new_page(**PHONE)
    visit(hub, page, "/sign-in/", "sign-in page", "Sign in")
    visit(hub, page, "/verify/", "verification form", re.compile("Verify"))
    certificate = documents.ensure_rendered(portal.rows["dev"].current_certificate)
    visit(
        hub,
        page,
        f"/v/{certificate.number}/{certificate.check_code}/",
        "verification result",
        re.compile(certificate.number),
    )
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    fits(page, "404 page")


def test_an_auditor_on_a_phone(hub, portal):
    """The auditor's pages (issue 18) in the same shared header, banner included."""
    shared = run_schedule(
        portal.alder, portal.pat, [["Contractor", "Work date"], ["Ann Lee", "2026-01-06"]]
    )
    grant = auditors.grant(
        portal.alder,
        email="ava@granite-audit.example",
        firm="Granite Mutual premium audit with a long name",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 2, 28),
        reconciliation_ids=[shared.pk],
        by=portal.pat,
    )
    pat = hub.new_page(session_of=portal.pat, **PHONE)
    visit(
        hub,
        pat,
        f"/facilities/{portal.alder.pk}/auditors/",
        "auditors page",
        re.compile("Auditors"),
    )
    cards(pat)
    page = hub.new_page(session_of=grant.person, **PHONE)
    alder = f"/facilities/{portal.alder.pk}"
    visit(hub, page, f"{alder}/certificates/", "auditor's table", portal.alder.name)
    on_screen(page.locator(".audit-banner"), "the audit banner")
    on_screen(page.locator("table.cert-table tbody tr").first, "the first row")
    visit(hub, page, f"{alder}/audits/", "auditor's audits", re.compile("Audit"))
    visit(
        hub,
        page,
        f"{alder}/audits/{shared.pk}/",
        "auditor's reconciliation",
        re.compile("Reconciliation of"),
    )
    on_screen(page.locator("td[data-label=Status] .badge").first, "a payment's status")
    hub.check_a11y(page, "auditor's reconciliation on a phone")
