"""Real actions, done through the app, show up in both activity logs with who, when and what."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import Membership
from tests import factories
from tests.accounts.helpers import code_in, deliver

pytestmark = pytest.mark.django_db
V = Activity.Verb


def test_sign_in_view_download_export_invite_and_remove_are_logged(site):
    assignment = factories.assignment(site.facility, effective=date(2026, 3, 2))
    assignment.refresh_from_db()
    number = assignment.current_certificate.number
    base = f"/facilities/{site.facility.pk}"
    started = timezone.now()

    # The member signs in with the e-mailed code, views and downloads a PDF, exports the table.
    member = Client()
    assert member.post("/sign-in/", {"email": site.member.email}).status_code == 302
    code = code_in(str(deliver()[-1].body))
    assert member.post("/sign-in/code/", {"code": code}).status_code == 302
    assert member.get(f"{base}/certificates/{number}/").status_code == 200
    assert member.get(f"{base}/certificates/{number}/download/").status_code == 200
    assert member.get(f"{base}/certificates/export.csv").status_code == 200

    # The primary contact invites someone and removes the member.
    primary = site.client(site.primary)
    invited = primary.post(
        f"{base}/team/invite/",
        {"email": "new.hire@example.com", "role": "member", "facilities": [site.facility.pk]},
    )
    assert invited.status_code == 302
    membership = Membership.objects.get(person=site.member, facility=site.facility)
    assert primary.post(f"{base}/team/members/{membership.pk}/remove/").status_code == 302

    recorded = list(Activity.objects.filter(at__gte=started).order_by("id"))
    kinds = [(a.verb, a.actor_label, a.target) for a in recorded]
    for expected in (
        (V.SIGNED_IN, site.member.email, ""),
        (V.VIEWED, site.member.email, number),
        (V.DOWNLOADED, site.member.email, number),
        (V.INVITED, site.primary.email, "new.hire@example.com"),
        (V.REMOVED, site.primary.email, site.member.email),
    ):
        assert expected in kinds, (expected, kinds)
    assert any(v == V.EXPORTED and who == site.member.email for v, who, _ in kinds)

    # The primary contact's page lists them, newest first, with who and what.
    html = primary.get(f"{base}/activity/").content.decode()
    for text in (
        "Signed in",
        "with the e-mailed code",
        "Viewed a certificate",
        "Downloaded a certificate",
        "Exported",
        "Invited",
        "new.hire@example.com",
        "Removed from a facility",
        number,
        site.member.email,
    ):
        assert text in html, text
    rows = html[html.index("<table") :]  # the filter's list of kinds comes before
    assert rows.index("Removed from a facility") < rows.index("Viewed a certificate")

    # Filtered to downloads, as CSV: one row, the member's download of that certificate.
    export = primary.get(f"{base}/activity/export.csv", {"verb": "downloaded"})
    body = b"".join(export.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert [r[1:5] for r in rows[1:]] == [
        [site.member.email, "Downloaded a certificate", "downloaded", number]
    ]

    # The partner's staff see the same facility events in the console.
    console = site.client(site.staff).get("/partner/activity/").content.decode()
    for text in ("Downloaded a certificate", "Removed from a facility", number):
        assert text in console, text
