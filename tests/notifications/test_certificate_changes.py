"""A facility person who relied on a certificate is told when it becomes void or superseded:
through the outbox and a real SMTP server, once, with both parts and one-click unsubscribe."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from compliance_hub.certificates import services as certificates
from compliance_hub.certificates.models import Certificate
from compliance_hub.mailer.services import send_due
from compliance_hub.notifications.models import CertificateNotice, Preferences
from compliance_hub.notifications.services import notify_certificate_changes
from tests import factories
from tests.mailer.smtp import text_body

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def html_body(message) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def run_jobs() -> int:
    """One worker round of the notification job, then the outbox; how many e-mails went."""
    notify_certificate_changes(50)
    return send_due()


def edit(site, **changes) -> Certificate:
    values = {
        "partner": site.partner,
        "external_id": "A-1",
        "facility": site.facility,
        "contractor": site.assignment.contractor,
        "effective_date": date(2026, 3, 1),
        "end_date": date(2026, 3, 10),
        "description": site.assignment.description,
        **changes,
    }
    result = certificates.save_assignment(**values)
    assert result.outcome == "updated"
    assert result.certificate is not None
    return result.certificate


def test_a_member_who_downloaded_a_certificate_is_told_when_it_is_voided(smtp, site):
    old = site.certificate
    site.download(site.member)
    certificates.cancel_assignment(site.assignment)

    assert run_jobs() == 2  # the member, and the teammate at the same facility
    by_to = {m["To"]: m for m in smtp.messages}
    assert set(by_to) == {"mo@example.com", "tia@example.com"}
    message = by_to["mo@example.com"]
    assert old.number in message["Subject"] and "void" in message["Subject"]
    text = text_body(message)
    assert f"Certificate {old.number}: Jane Doe, Mar 1, 2026 to Mar 10, 2026" in text
    assert "VOID since" in text and "no longer proves coverage" in text
    assert f"/facilities/{site.facility.pk}/certificates/" in text
    assert "http://testserver/notifications/" in text  # the settings page
    html = html_body(message)
    assert old.number in html and "Void" in html and "/notifications/" in html
    unsubscribe = str(message["List-Unsubscribe"]).strip()  # may be folded
    assert unsubscribe.startswith("<http://testserver/notifications/unsubscribe/")
    assert unsubscribe.endswith("/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_superseded_certificate_names_its_successor_and_what_changed(smtp, site):
    old = site.certificate
    site.download(site.member)
    new = edit(site, end_date=date(2026, 3, 20), description="Charge nurse, night shift")

    assert run_jobs() == 2
    message = next(m for m in smtp.messages if m["To"] == "mo@example.com")
    assert f"replaced by {new.number}" in message["Subject"]
    text = text_body(message)
    assert "SUPERSEDED on" in text and f"by certificate {new.number}" in text
    assert "End date: Mar 10, 2026 -> Mar 20, 2026" in text
    assert "Description of work: Registered nurse, night shift -> Charge nurse, night shift" in text
    assert "Effective date" not in text  # unchanged values are not listed
    current = f"http://testserver/facilities/{site.facility.pk}/certificates/{new.number}/"
    assert f"Current certificate: {current}" in text
    assert current in html_body(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The link leads to the current certificate.
    response = site.browser(site.member).get(current.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert old.number != new.number


def test_nobody_at_the_facility_looked_at_it_no_email(smtp, site):
    certificates.cancel_assignment(site.assignment)
    assert run_jobs() == 0
    assert smtp.messages == []


def test_a_view_by_a_member_counts_as_well_as_a_download(smtp, site):
    number = site.certificate.number
    site.browser(site.teammate).get(f"/facilities/{site.facility.pk}/certificates/{number}/")
    certificates.cancel_assignment(site.assignment)
    assert run_jobs() == 2


def test_preference_off_no_email(smtp, site):
    Preferences.objects.create(person=site.member, certificate_changes=False)
    Preferences.objects.create(person=site.teammate, certificate_changes=False)
    site.download(site.member)
    certificates.cancel_assignment(site.assignment)
    assert run_jobs() == 0
    assert smtp.messages == []


def test_members_of_another_facility_are_not_told(smtp, site):
    site.download(site.member)
    certificates.cancel_assignment(site.assignment)
    run_jobs()
    assert "sam@example.com" not in {m["To"] for m in smtp.messages}
    assert len(smtp.messages) == 2


def test_a_download_after_the_change_does_not_count(smtp, site):
    certificates.cancel_assignment(site.assignment)
    site.download(site.member)  # the stamped VOID copy: they already see it is void
    assert run_jobs() == 0


def test_running_the_job_twice_sends_once(smtp, site):
    site.download(site.member)
    certificates.cancel_assignment(site.assignment)
    assert run_jobs() == 2
    assert run_jobs() == 0
    assert notify_certificate_changes(50, now=timezone.now() + timedelta(hours=1)) == 0
    assert send_due() == 0
    assert len(smtp.messages) == 2
    assert CertificateNotice.objects.count() == 2


def test_a_round_that_dies_sends_nothing_and_the_next_sends_once(smtp, site, monkeypatch):
    from compliance_hub.notifications import services

    site.download(site.member)
    certificates.cancel_assignment(site.assignment)
    real = services.CertificateNotice.objects.bulk_create

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services.CertificateNotice.objects, "bulk_create", crash)
    with pytest.raises(RuntimeError):
        notify_certificate_changes(50)
    monkeypatch.setattr(services.CertificateNotice.objects, "bulk_create", real)
    send_due()
    assert smtp.messages == []  # the e-mails were rolled back with the round
    assert run_jobs() == 2
    assert run_jobs() == 0
    assert len(smtp.messages) == 2


def test_changes_are_read_in_bounded_batches(smtp, site):
    partner = site.partner
    assignments = [
        factories.assignment(site.facility, factories.contractor(partner)) for _ in range(3)
    ]
    for assignment in assignments:
        assignment.refresh_from_db()
        site.download(site.member, assignment.current_certificate.number)
        certificates.cancel_assignment(assignment)
    assert notify_certificate_changes(2) == 2  # two changes read
    assert send_due() == 2  # one e-mail per person, listing both
    assert notify_certificate_changes(2) == 1  # the third
    assert send_due() == 2
    assert notify_certificate_changes(2) == 0
    assert CertificateNotice.objects.filter(person=site.member).count() == 3
    first = next(m for m in smtp.messages if m["To"] == "mo@example.com")
    assert first["Subject"] == "2 certificates your facility used have changed"
    text = text_body(first)
    assert text.startswith("2 certificates of insurance that someone at your facility")
    assert text.count("VOID since") == 2


def test_one_click_unsubscribe_works_without_cookies_and_a_get_changes_nothing(smtp, site):
    site.download(site.member)
    certificates.cancel_assignment(site.assignment)
    run_jobs()
    message = next(m for m in smtp.messages if m["To"] == "mo@example.com")
    url = str(message["List-Unsubscribe"]).strip().strip("<>").removeprefix("http://testserver")

    scanner = Client(enforce_csrf_checks=True)
    page = scanner.get(url)
    assert page.status_code == 200
    assert "Unsubscribe" in page.content.decode()
    assert not Preferences.objects.filter(person=site.member).exists()  # a GET changes nothing

    mail_client = Client(enforce_csrf_checks=True)  # no session, no CSRF cookie
    response = mail_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "unsubscribed" in response.content.decode()
    preferences = Preferences.objects.get(person=site.member)
    assert preferences.certificate_changes is False
    assert preferences.weekly_digest is True  # only that kind

    # The next change: the member is no longer told; the teammate still is.
    site.assignment = factories.assignment(site.facility, external_id="A-2")
    site.download(site.member)
    certificates.cancel_assignment(site.assignment)
    before = len(smtp.messages)
    run_jobs()
    assert [m["To"] for m in smtp.messages[before:]] == ["tia@example.com"]


def test_a_forged_unsubscribe_token_is_refused(site):
    from compliance_hub.notifications.links import unsubscribe_token

    token = unsubscribe_token(site.member.pk, "weekly_digest")
    forged = token.replace("Wz", "Wy", 1)
    assert Client().post(f"/notifications/unsubscribe/{forged}/").status_code == 404
    assert Client().post("/notifications/unsubscribe/nonsense/").status_code == 404
    assert not Preferences.objects.exists()


def test_an_auditors_view_does_not_count(smtp, site):
    """An auditor is not "someone at the facility": their views tell its members nothing."""
    from compliance_hub.auditors import services as auditors

    grant = auditors.grant(
        site.facility,
        email="ava@audit.example",
        firm="Granite Audit",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        reconciliation_ids=[],
        by=site.teammate,
    )
    number = site.certificate.number
    response = site.browser(grant.person).get(
        f"/facilities/{site.facility.pk}/certificates/{number}/"
    )
    assert response.status_code == 200
    send_due()  # the auditor's invitation
    before = len(smtp.messages)
    certificates.cancel_assignment(site.assignment)
    assert run_jobs() == 0
    assert len(smtp.messages) == before
    assert not CertificateNotice.objects.exists()


def test_an_assignment_moved_away_is_told_without_the_other_facilitys_data(smtp, site):
    """The successor belongs to the other facility: the old facility's people read that the
    assignment moved, never that facility's name, the new certificate's number, dates or work."""
    old = site.certificate
    site.download(site.member)
    new = edit(
        site,
        facility=site.other,
        end_date=date(2026, 3, 27),
        description="Night cover on Ward Zeta",
    )
    assert run_jobs() == 2  # the old facility's people; nobody at the new one looked at it
    assert "sam@example.com" not in {m["To"] for m in smtp.messages}
    message = next(m for m in smtp.messages if m["To"] == "mo@example.com")
    assert "moved to another facility" in message["Subject"]
    for body in (text_body(message), html_body(message), message["Subject"]):
        assert "Elsewhere Care" not in body
        assert new.number not in body
        assert "Ward Zeta" not in body and "Mar 27" not in body
        assert "What changed" not in body
        assert f"/facilities/{site.other.pk}/" not in body
    text = text_body(message)
    assert "moved to another facility" in text
    assert "no longer covers work at your facility" in text
    assert old.number in text  # the one they relied on
