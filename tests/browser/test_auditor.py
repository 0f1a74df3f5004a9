"""Issue 18, auditor access: the primary contact gives an auditor access for one audit period;
the auditor gets the e-mail, signs in by link, sees the banner and the period's certificates,
downloads one, opens the shared reconciliation and its packet; after expiry: nothing."""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compliance_hub.activity.models import Activity
from compliance_hub.auditors.models import AuditorGrant
from tests.audits.helpers import run_schedule
from tests.browser import data
from tests.browser.conftest import link_in
from tests.mailer.smtp import text_body

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AUDITOR = "ava@granite-audit.example"
ROWS: list[list[object]] = [["Contractor", "Work date"], ["Ann Lee", "2026-01-06"]]


@pytest.fixture
def portal(transactional_db) -> data.Portal:
    return data.portal()


def test_an_auditor_reviews_one_audit_period_until_access_ends(hub, mailbox, portal, monkeypatch):
    alder = portal.alder
    shared = run_schedule(alder, portal.pat, ROWS)
    run_schedule(alder, portal.pat, ROWS)  # another, not shared

    # The primary contact gives access on the facility's Auditors page.
    pat = hub.new_page(session_of=portal.pat)
    pat.goto(f"/facilities/{alder.pk}/certificates/")
    pat.get_by_role("link", name="Auditors").click()
    expect(pat.get_by_role("heading", level=2, name="Give an auditor access")).to_be_visible()
    hub.check_a11y(pat, "auditors page")
    pat.get_by_label("Auditor's e-mail address").fill(AUDITOR)
    pat.get_by_label("Carrier or audit firm").fill("Granite Mutual premium audit")
    pat.get_by_label("Audit period from").fill("2026-01-01")
    pat.get_by_label("Audit period to").fill("2026-02-28")
    pat.locator(f"input[name=reconciliations][value='{shared.pk}']").check()
    pat.get_by_role("button", name="Give access").click()
    expect(pat.get_by_role("status").first).to_contain_text(f"Access given to {AUDITOR}")
    expect(pat.get_by_role("table")).to_contain_text("Granite Mutual premium audit")
    grant = AuditorGrant.objects.get(email=AUDITOR)
    hub.shot(pat, "auditors-page")

    # The auditor reads the e-mail and signs in by link at /sign-in/.
    message = mailbox.wait_for(AUDITOR, subject="Audit access")
    body = text_body(message)
    assert "Jan 1, 2026 to Feb 28, 2026" in body
    start = re.search(r"https?://\S+/sign-in/\?\S+", body)
    assert start is not None, body
    auditor = hub.new_page()
    auditor.goto(start.group(0))
    expect(auditor.get_by_label("E-mail address")).to_have_value(AUDITOR)
    auditor.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    auditor.goto(link_in(mailbox.wait_for(AUDITOR, subject="sign-in link")))

    # The banner, and only the assignments active during the audit period.
    expect(auditor).to_have_url(re.compile(rf"/facilities/{alder.pk}/certificates/"))
    banner = auditor.locator(".audit-banner")
    expect(banner).to_contain_text(
        f"Audit of {alder.name} for Jan 1, 2026 to Feb 28, 2026, shared by Pat Rivera"
    )
    expect(banner).to_contain_text(f"until {grant.until_text}")
    names = auditor.locator("table.cert-table tbody .contractor")
    expect(names).to_have_text(["Cara Diaz", "Bob Stone", "Ann Lee"])
    nav = auditor.get_by_role("navigation", name=alder.name)
    expect(nav.get_by_role("link")).to_have_text(["Certificates", "Audits"])
    hub.check_a11y(auditor, "auditor's certificate table")
    hub.shot(auditor, "auditor-table")

    # A certificate download.
    number = portal.rows["ann"].current_certificate.number
    with auditor.expect_download() as download:
        auditor.get_by_role("link", name=f"Download certificate {number} for Ann Lee").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # The shared reconciliation, and its packet; the other one is not listed.
    auditor.get_by_role("link", name="Audits").click()
    runs = auditor.locator("table tbody tr")
    expect(runs).to_have_count(1)
    runs.first.get_by_role("link").click()
    expect(auditor).to_have_url(re.compile(rf"/audits/{shared.pk}/$"))
    with auditor.expect_download() as packet:
        auditor.get_by_role("link", name="Download the audit packet (ZIP)").click()
    text = zipfile.ZipFile(packet.value.path()).read("README.txt").decode()
    assert f"{AUDITOR} (Granite Mutual premium audit)" in text
    assert f"Downloaded a certificate  {number}" in text

    # Out of scope: another period's certificate, the team page.
    response = auditor.goto(
        f"/facilities/{alder.pk}/certificates/{portal.rows['eve'].current_certificate.number}/"
    )
    assert response is not None and response.status == 404
    response = auditor.goto(f"/facilities/{alder.pk}/team/")
    assert response is not None and response.status == 404

    # Everything the auditor did is in the facility's log, naming the firm.
    label = f"{AUDITOR} (auditor, Granite Mutual premium audit)"
    verbs = set(
        Activity.objects.filter(facility=alder, actor_label=label).values_list("verb", flat=True)
    )
    assert {"auditor_viewed", "downloaded", "audit_packet"} <= verbs

    # Access ends: a minute from now, then time moves on.
    now = timezone.now()
    AuditorGrant.objects.filter(pk=grant.pk).update(expires_at=now + timedelta(minutes=1))
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=2))
    response = auditor.goto(f"/facilities/{alder.pk}/certificates/")
    assert response is not None and response.status == 404
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Page not found")
    response = auditor.goto(f"/facilities/{alder.pk}/audits/{shared.pk}/packet.zip")
    assert response is not None and response.status == 404
