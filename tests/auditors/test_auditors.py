"""Auditor access (issue 18): a primary contact grants an auditor read-only access to one
facility for one audit period; everything else is a 404 for the auditor, on every request."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from compliance_hub.accounts import services as sign_in
from compliance_hub.accounts.models import Person, SignInRequest
from compliance_hub.activity.models import Activity
from compliance_hub.auditors import services
from compliance_hub.auditors.models import AuditorGrant
from compliance_hub.mailer.models import OutboundEmail
from tests import factories
from tests.audits.helpers import run_schedule

pytestmark = pytest.mark.django_db

PERIOD = (date(2025, 7, 1), date(2026, 6, 30))
ROWS: list[list[object]] = [["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]


@pytest.fixture
def site(partner):
    facility = factories.facility(partner, name="Alder Court")
    other = factories.facility(partner, name="Birch House")
    pat = factories.member(facility, factories.person("pat@example.com"), "primary")
    mo = factories.member(facility, factories.person("mo@example.com"))
    factories.member(other, pat, "primary")
    jane = factories.contractor(partner, "Jane", "Doe")
    omar = factories.contractor(partner, "Omar", "Outside")
    inside = factories.assignment(facility, jane, date(2026, 3, 1), date(2026, 3, 10))
    outside = factories.assignment(facility, omar, date(2026, 8, 1), date(2026, 8, 5))
    elsewhere = factories.assignment(other, jane, date(2026, 3, 1), date(2026, 3, 10))
    for a in (inside, outside, elsewhere):
        a.refresh_from_db()
    shared = run_schedule(facility, pat, ROWS)
    unshared = run_schedule(facility, pat, ROWS)
    grant = services.grant(
        facility,
        email="Ava@Audit.example",
        firm="Granite Mutual premium audit",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        reconciliation_ids=[shared.pk],
        by=pat,
        ip="203.0.113.5",
    )
    auditor = Client()
    auditor.force_login(grant.person)
    return {
        "facility": facility,
        "other": other,
        "pat": pat,
        "mo": mo,
        "inside": inside,
        "outside": outside,
        "elsewhere": elsewhere,
        "shared": shared,
        "unshared": unshared,
        "grant": grant,
        "auditor": auditor,
    }


def fac(site, rest: str = "") -> str:
    return f"/facilities/{site['facility'].pk}/{rest}"


# --- granting --------------------------------------------------------------------------


def test_a_grant_makes_the_account_e_mails_the_auditor_and_is_logged(site):
    grant = site["grant"]
    assert grant.email == "ava@audit.example"
    assert grant.person.email == "ava@audit.example"
    assert grant.last_day == timezone.localdate() + timedelta(days=30)  # the default
    mail = OutboundEmail.objects.get(to="ava@audit.example")
    assert "Alder Court" in mail.subject
    assert "Granite Mutual premium audit" in mail.body_text
    assert "Jul 1, 2025 to Jun 30, 2026" in mail.body_text
    assert "/sign-in/?email=ava%40audit.example" in mail.body_text
    record = Activity.objects.get(verb=Activity.Verb.AUDITOR_GRANTED)
    assert record.facility_id == site["facility"].pk
    assert record.actor_label == "pat@example.com"
    assert record.target == "ava@audit.example"


def test_granting_an_existing_account_looks_the_same(site):
    existing = factories.person("known@audit.example")
    grant = services.grant(
        site["facility"],
        email="known@audit.example",
        firm="Firm",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        by=site["pat"],
    )
    assert grant.person == existing
    assert OutboundEmail.objects.filter(to="known@audit.example").count() == 1
    assert Person.objects.filter(email="known@audit.example").count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"firm": "  "}, "firm"),
        ({"period_start": date(2026, 7, 1)}, "period_end"),
        ({"period_start": date(2020, 1, 1)}, "period_end"),
        ({"expires_on": date.today() + timedelta(days=91)}, "expires_on"),
        ({"expires_on": date.today() - timedelta(days=1)}, "expires_on"),
        ({"email": "ava@audit.example"}, "email"),  # already has active access here
    ],
)
def test_bad_grants_are_refused_with_a_field_error(site, change, field):
    values = {
        "email": "new@audit.example",
        "firm": "Firm",
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        **change,
    }
    before = AuditorGrant.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.grant(site["facility"], by=site["pat"], **values)
    assert field in caught.value.message_dict
    assert AuditorGrant.objects.count() == before


def test_only_a_primary_contact_grants_and_only_their_facilitys_reconciliations(site, partner):
    with pytest.raises(ValidationError):
        services.grant(
            site["facility"],
            email="x@audit.example",
            firm="F",
            period_start=PERIOD[0],
            period_end=PERIOD[1],
            by=site["mo"],
        )
    foreign = run_schedule(site["other"], site["pat"], ROWS)
    with pytest.raises(ValidationError) as caught:
        services.grant(
            site["facility"],
            email="x@audit.example",
            firm="F",
            period_start=PERIOD[0],
            period_end=PERIOD[1],
            reconciliation_ids=[foreign.pk],
            by=site["pat"],
        )
    assert "reconciliations" in caught.value.message_dict


# --- what the auditor sees -------------------------------------------------------------


def test_the_auditor_sees_the_banner_and_only_the_period(site):
    response = site["auditor"].get(fac(site, "certificates/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Audit of <strong>Alder Court</strong> for Jul 1, 2025 to Jun 30, 2026" in html
    assert "shared by pat@example.com" in html
    assert f"until {site['grant'].until_text}" in html
    assert site["inside"].current_certificate.number in html
    assert site["outside"].current_certificate.number not in html
    assert "mo@example.com" not in html  # nobody's team
    # Tabs: certificates and audits only.
    assert f"/facilities/{site['facility'].pk}/team/" not in html
    assert f"/facilities/{site['facility'].pk}/activity/" not in html


def test_the_auditors_filters_never_widen_the_period(site):
    # A wider "active during" than the period still shows the period only.
    response = site["auditor"].get(
        fac(site, "certificates/?active_from=2020-01-01&active_to=2030-12-31")
    )
    assert response.status_code == 200
    assert site["outside"].current_certificate.number not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "certificates/?active_from=2026-08-01&active_to=2026-08-31",
        "certificates/export.csv?active_from=2026-08-01&active_to=2026-08-31",
        "certificates/export.csv?effective_from=2026-07-01",
        "certificates/export.xlsx?end_to=2025-06-30",
    ],
)
def test_another_period_is_a_404(site, path):
    assert site["auditor"].get(fac(site, path)).status_code == 404


def test_certificates_within_the_period_download_others_are_404(site):
    inside = site["inside"].current_certificate.number
    outside = site["outside"].current_certificate.number
    elsewhere = site["elsewhere"].current_certificate.number
    client = site["auditor"]
    response = client.get(fac(site, f"certificates/{inside}/download/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert client.get(fac(site, f"certificates/{inside}/")).status_code == 200
    assert client.get(fac(site, f"certificates/{outside}/download/")).status_code == 404
    assert client.get(fac(site, f"certificates/{outside}/")).status_code == 404
    assert client.get(fac(site, f"certificates/{elsewhere}/")).status_code == 404
    assert client.get(fac(site, f"assignments/{site['inside'].pk}/")).status_code == 200
    assert client.get(fac(site, f"assignments/{site['outside'].pk}/")).status_code == 404


def test_the_export_holds_the_period_only(site):
    response = site["auditor"].get(fac(site, "certificates/export.csv"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert site["inside"].current_certificate.number in body
    assert site["outside"].current_certificate.number not in body


def test_bulk_download_only_where_the_partner_enabled_it(site):
    assert site["auditor"].get(fac(site, "certificates/bulk.zip")).status_code == 403
    site["facility"].bulk_download_enabled = True
    site["facility"].save(update_fields=["bulk_download_enabled"])
    response = site["auditor"].get(fac(site, "certificates/bulk.zip"))
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert any(site["inside"].current_certificate.number in n for n in names)
    assert not any(site["outside"].current_certificate.number in n for n in names)


@pytest.mark.parametrize(
    "path",
    [
        "team/",
        "activity/",
        "activity/export.csv",
        "audits/new/",
        "auditors/",
    ],
)
def test_everything_else_at_the_facility_is_a_404(site, path):
    assert site["auditor"].get(fac(site, path)).status_code == 404


def test_a_member_elsewhere_auditing_here_has_no_switcher_on_the_audited_pages(site, partner):
    grant = site["grant"]
    for name in ("Cedar Lodge", "Dune House"):
        factories.member(factories.facility(partner, name=name), grant.person)
    html = site["auditor"].get(fac(site, "certificates/")).content.decode()
    assert "Cedar Lodge" not in html and "Audit of <strong>Alder Court</strong>" in html


def test_other_facilities_are_a_404(site):
    other = site["other"].pk
    assert site["auditor"].get(f"/facilities/{other}/certificates/").status_code == 404
    assert site["auditor"].get(f"/facilities/switch/?facility={other}").status_code == 404


def test_only_shared_reconciliations_and_their_packet(site):
    client = site["auditor"]
    listing = client.get(fac(site, "audits/")).content.decode()
    assert f"/audits/{site['shared'].pk}/" in listing
    assert f"/audits/{site['unshared'].pk}/" not in listing
    assert "New reconciliation" not in listing
    assert client.get(fac(site, f"audits/{site['shared'].pk}/")).status_code == 200
    assert client.get(fac(site, f"audits/{site['unshared'].pk}/")).status_code == 404
    assert client.get(fac(site, f"audits/{site['unshared'].pk}/packet.zip")).status_code == 404
    number = site["inside"].current_certificate.number
    client.get(fac(site, f"certificates/{number}/download/"))
    response = client.get(fac(site, f"audits/{site['shared'].pk}/packet.zip"))
    assert response.status_code == 200
    packet = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    readme = packet.read("README.txt").decode()
    assert "Auditor access" in readme
    assert "ava@audit.example (Granite Mutual premium audit)" in readme
    assert "audit period Jul 1, 2025 to Jun 30, 2026" in readme
    assert f"until {site['grant'].until_text}" in readme
    assert f"Downloaded a certificate  {number}" in readme
    assert "Downloaded an audit packet" in readme


def test_every_auditor_action_is_in_the_facilitys_log_naming_the_firm(site):
    client = site["auditor"]
    number = site["inside"].current_certificate.number
    client.get(fac(site, "certificates/"))
    client.get(fac(site, f"certificates/{number}/download/"))
    client.get(fac(site, "certificates/export.csv"))
    client.get(fac(site, f"audits/{site['shared'].pk}/"))
    label = "ava@audit.example (auditor, Granite Mutual premium audit)"
    verbs = set(
        Activity.objects.filter(facility=site["facility"], actor_label=label).values_list(
            "verb", flat=True
        )
    )
    assert {
        Activity.Verb.AUDITOR_VIEWED,
        Activity.Verb.DOWNLOADED,
        Activity.Verb.EXPORTED,
    } <= verbs


def test_a_grant_does_not_let_the_facility_watch_the_auditors_sign_ins(site):
    """A grant can be made to any address without its owner's say: the facility sees what the
    auditor does in it, never when or from where the auditor signs in."""
    from django.contrib.auth.signals import user_logged_in
    from django.test import RequestFactory

    request = RequestFactory().get("/sign-in/", REMOTE_ADDR="203.0.113.9")
    before = Activity.objects.filter(facility=site["facility"]).count()
    user_logged_in.send(
        sender=type(site["grant"].person), request=request, user=site["grant"].person
    )
    assert Activity.objects.filter(facility=site["facility"]).count() == before
    assert not Activity.objects.filter(facility=site["facility"], ip="203.0.113.9").exists()


# --- expiry and revocation -------------------------------------------------------------


def test_after_expiry_every_page_is_a_404_and_no_link_is_sent(site, monkeypatch):
    client = site["auditor"]
    number = site["inside"].current_certificate.number
    paths = (
        "certificates/",
        f"certificates/{number}/download/",
        "certificates/export.csv",
        "audits/",
        f"audits/{site['shared'].pk}/",
        f"audits/{site['shared'].pk}/packet.zip",
    )
    assert all(client.get(fac(site, p)).status_code == 200 for p in paths)
    # The grant ends a minute from now; then time moves on two minutes (the session lives).
    now = timezone.now()
    AuditorGrant.objects.filter(pk=site["grant"].pk).update(expires_at=now + timedelta(minutes=1))
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=2))
    for path in paths:
        assert client.get(fac(site, path)).status_code == 404, path
    assert not sign_in.has_access(site["grant"].person)
    assert client.get("/").status_code == 200  # "no facilities", not the audited one
    # Much later the session has ended too: the sign-in page.
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(days=40))
    response = client.get(fac(site, "certificates/"))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_revoked_access_ends_on_the_next_request(site):
    client = site["auditor"]
    assert client.get(fac(site, "certificates/")).status_code == 200
    services.revoke(site["grant"], by=site["pat"])
    assert client.get(fac(site, "certificates/")).status_code == 404
    assert client.get("/").status_code == 200  # "you have no facilities"
    assert Activity.objects.filter(verb=Activity.Verb.AUDITOR_REVOKED).exists()


def test_an_auditor_gets_sign_in_links_while_the_grant_lasts(site, settings):
    settings.MAIL_SEND_ON_COMMIT = False
    sign_in.request_sign_in("ava@audit.example", ip="198.51.100.1")
    assert SignInRequest.objects.count() == 1
    sign_in.process_sign_in_requests()
    assert OutboundEmail.objects.filter(
        to="ava@audit.example", subject__contains="sign-in link"
    ).exists()


def test_home_takes_the_auditor_to_the_audited_facility(site):
    response = site["auditor"].get("/")
    assert response.status_code == 302
    assert response["Location"] == fac(site, "certificates/")


# --- the primary contact's page and the partner console --------------------------------


def test_the_primary_contact_sees_grants_gives_and_revokes(site):
    client = Client()
    client.force_login(site["pat"])
    page = client.get(fac(site, "auditors/"))
    assert page.status_code == 200
    assert "ava@audit.example" in page.content.decode()
    response = client.post(
        fac(site, "auditors/grant/"),
        {
            "email": "bo@audit.example",
            "firm": "Second Firm",
            "period_start": "2025-07-01",
            "period_end": "2026-06-30",
            "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "reconciliations": [site["unshared"].pk],
        },
    )
    assert response.status_code == 302
    new = AuditorGrant.objects.get(email="bo@audit.example")
    assert list(new.reconciliations.all()) == [site["unshared"]]
    assert new.last_day == timezone.localdate() + timedelta(days=10)
    response = client.post(fac(site, f"auditors/{new.pk}/revoke/"))
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.revoked_at is not None


def test_bad_form_input_is_shown_as_field_errors(site):
    client = Client()
    client.force_login(site["pat"])
    response = client.post(
        fac(site, "auditors/grant/"),
        {"email": "x", "firm": "", "period_start": "2026-13-01", "period_end": ""},
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_a_team_member_cannot_manage_auditors(site):
    client = Client()
    client.force_login(site["mo"])
    assert client.get(fac(site, "auditors/")).status_code == 403
    grant = site["grant"]
    assert client.post(fac(site, f"auditors/{grant.pk}/revoke/")).status_code == 403
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_the_partner_console_lists_active_grants(site, partner):
    staff = factories.person("ops@partner.example")
    from compliance_hub.facilities.models import PartnerStaff

    PartnerStaff.objects.create(partner=partner, person=staff)
    client = Client()
    client.force_login(staff)
    detail = client.get(f"/partner/facilities/{site['facility'].pk}/").content.decode()
    assert "ava@audit.example" in detail and "Granite Mutual premium audit" in detail
    listing = client.get("/partner/").content.decode()
    assert "ava@audit.example" in listing
    services.revoke(site["grant"], by=site["pat"])
    assert "ava@audit.example" not in client.get("/partner/").content.decode()
