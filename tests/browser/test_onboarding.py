"""Journeys 1 and 4: people arrive from an e-mail. A partner invites a facility's primary contact
through the API; the primary contact invites a teammate from the team page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Facility, Invitation
from compliance_hub.partner_api.keys import create_key
from tests import factories
from tests.browser import data
from tests.browser.conftest import code_in, link_in
from tests.mailer.smtp import text_body

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_partner_invites_a_primary_contact_who_accepts_and_sees_the_facility(
    hub, mailbox, playwright_session
):
    partner = factories.partner(name=data.PARTNER)
    _, key = create_key(partner, name="browser journey")
    api = playwright_session.request.new_context(
        base_url=f"{hub.url}/api/v1/",
        extra_http_headers={"Authorization": f"Bearer {key}"},
    )
    # The partner's system feeds a facility, a contractor and an assignment...
    r = api.put("facilities/FAC-STMARY", data={"name": "St. Mary's Regional Medical Center"})
    assert r.status == 201, r.text()
    r = api.put("contractors/C-42", data={"first_name": "Jane", "last_name": "Doe"})
    assert r.status == 201, r.text()
    r = api.put(
        "assignments/SHIFT-1",
        data={
            "facility": "FAC-STMARY",
            "contractor": "C-42",
            "effective_date": "2026-03-04",
            "end_date": "2026-03-06",
            "description": "Registered nurse, night shift",
        },
    )
    assert r.status == 201, r.text()
    # ... and invites the facility's primary contact.
    r = api.post(
        "facilities/FAC-STMARY/invitations",
        data={"email": "morgan@stmary.example", "name": "Morgan Lee", "role": "primary"},
        headers={"Idempotency-Key": "invite-morgan-1"},
    )
    assert r.status == 201, r.text()
    api.dispose()

    message = mailbox.wait_for("morgan@stmary.example")
    assert data.PARTNER in str(message["Subject"])
    page = hub.new_page()
    page.goto(link_in(message))
    # The token left the address bar before anything was shown.
    assert "/invitations/accept/" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("You're invited")
    expect(page.get_by_text("St. Mary's Regional Medical Center")).to_be_visible()
    hub.check_a11y(page, "invitation accept page")
    hub.shot(page, "invitation-accept")
    page.get_by_role("button", name="Accept and sign in").click()

    facility = Facility.objects.get(external_id="FAC-STMARY")
    expect(page).to_have_url(re.compile(rf"/facilities/{facility.pk}/certificates/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("St. Mary's Regional Medical Center")
    expect(page.get_by_text(f"Certificates of insurance from {data.PARTNER}")).to_be_visible()
    row = page.locator("table.cert-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".contractor")).to_have_text("Jane Doe")
    expect(row.locator("td").nth(0)).to_have_text("Mar 4, 2026")
    expect(row.locator("td").nth(1)).to_have_text("Mar 6, 2026")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("morgan@stmary.example")


def test_a_teammate_invited_to_one_facility_signs_in_from_their_email_and_sees_only_it(
    hub, mailbox
):
    portal = data.portal()
    pat = hub.new_page(session_of=portal.pat)
    pat.goto(f"/facilities/{portal.alder.pk}/team/")
    expect(pat.get_by_role("heading", level=1)).to_contain_text("Team")
    pat.get_by_label("E-mail address").fill("sam.new@alder.example")
    pat.get_by_label("Name").fill("Sam Okafor")
    # Both of Pat's facilities are offered; Sam gets only Alder Court.
    alder_box = pat.get_by_role("checkbox", name=portal.alder.name, exact=True)
    birch_box = pat.get_by_role("checkbox", name=portal.birch.name, exact=True)
    alder_box.check()
    birch_box.uncheck()
    pat.get_by_role("button", name="Send invitation").click()
    expect(pat.get_by_role("status").first).to_contain_text("sam.new@alder.example")
    pending = pat.get_by_role("table", name=re.compile("not yet accepted"))
    expect(pending).to_contain_text("sam.new@alder.example")

    invitation = mailbox.wait_for("sam.new@alder.example")
    sam = hub.new_page()  # Sam's own computer
    sam.goto(link_in(invitation))
    expect(sam.get_by_role("listitem").filter(has_text=portal.alder.name)).to_be_visible()
    expect(sam.get_by_text(portal.birch.name)).to_have_count(0)
    sam.get_by_role("button", name="Accept and sign in").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    expect(sam.locator("table.cert-table tbody tr")).to_have_count(5)

    # Next morning: signed out, Sam signs in again from the e-mail the hub sends.
    sam.get_by_role("button", name="Sign out").click()
    sam.goto("/sign-in/")
    sam.get_by_label("E-mail address").fill("sam.new@alder.example")
    sam.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    message = mailbox.wait_for("sam.new@alder.example", subject="sign-in link")
    assert code_in(message)
    sam.goto(link_in(message))  # same browser that asked: signed in at once
    expect(sam.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    # Only the shared facility: no switcher, and Birch House is not there for Sam.
    expect(sam.get_by_label("Facility")).to_have_count(0)
    expect(sam.locator(".facility-only")).to_contain_text(portal.alder.name)
    response = sam.goto(f"/facilities/{portal.birch.pk}/certificates/")
    assert response is not None and response.status == 404
    expect(sam.get_by_text("Bob Stone")).to_have_count(0)


def test_an_expired_invitation_link_offers_a_fresh_one_that_works(hub, mailbox):
    portal = data.portal()
    invitations.invite(
        email="late@alder.example",
        facilities=[portal.alder],
        role="member",
        by=invitations.By(portal.pat),
    )
    first = mailbox.wait_for("late@alder.example")
    Invitation.objects.filter(email="late@alder.example").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = hub.new_page()
    page.goto(link_in(first))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This invitation link no longer works"
    )
    hub.check_a11y(page, "invitation problem page")
    page.get_by_role("button", name="E-mail me a new link").click()
    renewed = mailbox.wait_for("late@alder.example")
    page.goto(link_in(renewed))
    page.get_by_role("button", name="Accept and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)


def test_someone_who_already_uses_the_hub_is_asked_before_joining(hub, mailbox):
    """Journey 4b: an invitation to an existing account waits for consent, on the pages the
    person already uses; declining one and accepting another both work from there."""
    portal = data.portal()
    cedar = factories.facility(portal.partner, name="Cedar Lodge")
    dune = factories.facility(portal.partner, name="Dune Clinic")
    for facility in (cedar, dune):
        invitations.invite(
            email="Pat.Primary@Alder.example",
            facilities=[facility],
            role="member",
            by=invitations.By(partner=portal.partner),
        )
    message = mailbox.wait_for("pat.primary@alder.example")
    assert "accept or decline" in text_body(message).lower()
    pat = hub.new_page(session_of=portal.pat)
    pat.goto(f"/facilities/{portal.alder.pk}/certificates/")
    # Nothing changed yet: Pat's switcher still has only Pat's two facilities.
    expect(pat.get_by_label("Facility").locator("option")).to_have_count(2)
    pat.get_by_role("link", name="You have an invitation waiting").click()
    expect(pat.get_by_role("heading", level=1)).to_have_text("Your invitations")
    hub.check_a11y(pat, "pending invitations")
    pat.get_by_role("button", name="Decline the invitation to Dune Clinic").click()
    expect(pat.get_by_role("status").first).to_contain_text("Invitation declined.")
    pat.get_by_role("button", name="Accept the invitation to Cedar Lodge").click()
    expect(pat.get_by_role("heading", level=1)).to_have_text("Cedar Lodge")
    expect(pat.get_by_label("Facility").locator("option")).to_have_count(3)
    expect(pat.get_by_text("You have an invitation waiting")).to_have_count(0)
    assert not Invitation.objects.filter(
        email="pat.primary@alder.example", accepted_at=None, revoked_at=None
    )
