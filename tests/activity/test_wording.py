"""How the log reads: words apart, counts in the singular or plural, who acted for a partner,
and what a settings change changed."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client

from compliance_hub.activity.models import Activity
from compliance_hub.partner_api.keys import create_key
from tests.activity.conftest import T0, log

pytestmark = pytest.mark.django_db
V = Activity.Verb


def text(html: str) -> str:
    """The page as a person reads it: tags gone, whitespace folded."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def facility_log(site) -> str:
    response = site.client(site.primary).get(f"/facilities/{site.facility.pk}/activity/")
    assert response.status_code == 200
    return text(response.content.decode())


def test_a_record_reads_as_one_sentence_with_its_count_in_the_right_number(site):
    log(V.SIGNED_IN, at=T0, actor=site.member, detail={"method": "link"})
    for minutes, rows in ((1, 0), (2, 1), (3, 1234)):
        log(
            V.EXPORTED,
            at=T0 + timedelta(minutes=minutes),
            actor=site.member,
            facility=site.facility,
            target=f"export-{rows}.csv",
            detail={"format": "csv", "rows": rows},
        )
    page = facility_log(site)
    assert "Signed in with the e-mailed link" in page
    assert "Exported 0 rows, CSV" in page
    assert "Exported 1 row, CSV" in page
    assert "Exported 1,234 rows, CSV" in page
    assert "inwith" not in page and "Exported0" not in page and "1 rows" not in page


def test_turning_bulk_download_on_and_off_is_logged_as_that(site):
    staff = site.client(site.staff)
    url = f"/partner/facilities/{site.facility.pk}/bulk-download/"
    assert staff.post(url, {"enabled": "1"}).status_code == 302
    assert staff.post(url, {"enabled": "0"}).status_code == 302
    page = facility_log(site)
    assert "Turned bulk download on" in page and "Turned bulk download off" in page
    assert page.count("Changed facility settings") == 1  # the kind in the filter's list only
    console = text(staff.get(f"/partner/facilities/{site.facility.pk}/").content.decode())
    assert "Turned bulk download off" in console
    export = site.client(site.primary).get(f"/facilities/{site.facility.pk}/activity/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    changes = [r[2] for r in rows[1:] if r[3] == V.SETTINGS_CHANGED]
    assert changes == ["Turned bulk download off", "Turned bulk download on"]


def test_partner_staff_are_named_with_the_partner_they_act_for(site):
    staff = site.client(site.staff)
    staff.post(f"/partner/facilities/{site.facility.pk}/bulk-download/", {"enabled": "1"})
    staff.post(
        f"/partner/facilities/{site.facility.pk}/invite/",
        {"email": "new.hire@example.com", "role": "member"},
    )
    labels = set(
        Activity.objects.filter(facility=site.facility).values_list("actor_label", flat=True)
    )
    assert labels == {"ops@acme.example (Acme Staffing)"}
    page = facility_log(site)
    assert "ops@acme.example (Acme Staffing)" in page and "partner:" not in page


def test_api_calls_are_named_by_the_keys_name(site):
    _, raw = create_key(site.partner, name="Payroll sync")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    response = api.put(
        f"/api/v1/facilities/{site.facility.external_id}/settings",
        {"bulk_download_enabled": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    invited = api.post(
        f"/api/v1/facilities/{site.facility.external_id}/invitations",
        {"email": "api.hire@example.com", "role": "member"},
        content_type="application/json",
    )
    assert invited.status_code == 201, invited.content
    changes = Activity.objects.filter(
        facility=site.facility, verb__in=[V.SETTINGS_CHANGED, V.INVITED]
    )
    assert changes.count() == 2
    for change in changes:
        assert change.actor_label.startswith("API key “Payroll sync” (chk_live_"), (
            change.actor_label
        )
    assert "API key “Payroll sync”" in facility_log(site)


def test_passkeys_and_the_passkey_rule_read_as_what_happened(site):
    log(V.SIGNED_IN, at=T0, actor=site.member, detail={"method": "passkey"})
    log(V.SIGNED_IN, at=T0, actor=site.member, detail={"method": "passkey_confirm"})
    log(
        V.SETTINGS_CHANGED,
        at=T0,
        actor=site.primary,
        facility=site.facility,
        target=site.facility.name,
        detail={"require_strong_sign_in": True},
    )
    log(
        V.SETTINGS_CHANGED,
        at=T0,
        actor=site.primary,
        facility=site.facility,
        target=site.member.email,
        detail={"passkey": "reset", "removed": 2},
    )
    page = facility_log(site)
    assert "Signed in with a passkey" in page
    assert "Signed in with the e-mailed link and a passkey" in page
    assert "Required a passkey or single sign-on" in page
    assert f"Reset passkeys {site.member.email}" in page
    assert page.count("Changed facility settings") == 1  # the kind in the filter's list only
