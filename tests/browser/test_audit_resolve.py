"""Resolving an unknown payee in a real browser: upload a schedule with a misspelt name, pick
the hub's suggestion, re-run, and see the row counted as a manual decision."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.audits.helpers import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def facility_member(transactional_db):
    partner = factories.partner(name="Shiftwise Staffing")
    facility = factories.facility(partner, name="Alder Court")
    person = factories.member(facility)
    lisa = factories.contractor(partner, "Lisa", "Turner")
    factories.assignment(facility, lisa, date(2026, 3, 1), date(2026, 3, 31))
    return facility, person


def test_pick_the_suggestion_re_run_and_see_a_manual_decision(hub, facility_member, tmp_path):
    facility, person = facility_member
    schedule = tmp_path / "payments.csv"
    schedule.write_bytes(
        csv_bytes(
            [
                ["Payee", "Work date", "Amount"],
                ["Lisa Tuner", "03/05/2026", "$1,200.00"],
                ["Lisa Turner", "03/06/2026", "$300.00"],
            ]
        )
    )
    page = hub.new_page(session_of=person)
    page.goto(f"/facilities/{facility.pk}/audits/new/")
    page.get_by_label("Schedule of payments").set_input_files(str(schedule))
    page.get_by_role("button", name="Upload and check the columns").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the columns")
    page.get_by_role("button", name="Run the reconciliation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reconciliation of payments.csv")

    row = page.locator("#row-2")
    expect(row).to_contain_text("Unknown contractor")
    row.get_by_label(re.compile(r"Did you mean Lisa Turner\?")).check()
    row.get_by_role("button", name="Save decision for row 2").click()
    expect(page.get_by_text("Saved for “Lisa Tuner”: Lisa Turner.")).to_be_visible()
    expect(page.locator("#row-2")).to_contain_text("Re-run the reconciliation to apply it.")
    hub.check_a11y(page, "result page with a decision form")

    page.get_by_role("button", name="Re-run with today's certificates and decisions").click()
    expect(page.get_by_text("(1 row by manual decision)")).to_be_visible()
    totals = page.locator(".audit-totals")
    expect(
        totals.get_by_role("row", name=re.compile("Of these, by manual decision"))
    ).to_contain_text("1")
    expect(totals.get_by_role("row", name=re.compile("^Covered"))).to_contain_text("2")
    row = page.locator("#row-2")
    expect(row).to_contain_text("Covered")
    expect(row).to_contain_text("Manual decision")
    expect(row).to_contain_text(f"Lisa Turner, chosen by {person.email}")
    hub.shot(page, "audit-resolve")
