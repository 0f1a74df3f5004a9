"""The weekly digest: one e-mail per person for all their facilities, with the week's new,
void and superseded certificates, new team members and reconciliations; nothing to report,
no e-mail; a week is sent once, even when the worker restarts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from compliance_hub.certificates import services as certificates
from compliance_hub.mailer.models import OutboundEmail
from compliance_hub.mailer.services import send_due
from compliance_hub.notifications.models import DigestWeek, Preferences
from compliance_hub.notifications.queries import digest_period
from compliance_hub.notifications.services import send_weekly_digest
from tests import factories
from tests.audits.helpers import run_schedule
from tests.mailer.smtp import text_body

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def html_body(message) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def sending_time():
    """A moment in the week after this one's scheduled digest, when the digest covering
    today is due (Monday 07:00 UTC by default)."""
    start, end = digest_period(timezone.now() + timedelta(days=7), 0, 7)
    assert start <= timezone.now() < end
    return end + timedelta(minutes=5)


@pytest.fixture(autouse=True)
def _the_job_ran_last_week():
    """The worker has been running: last week's digest was dealt with (its first run only
    records the week that is due)."""
    assert send_weekly_digest(50, now=sending_time() - timedelta(days=7)) == 0
    assert DigestWeek.objects.get().skipped


@pytest.fixture
def busy_week(site):
    """Everything the digest reports, at ``site.facility``, this week."""
    partner = site.partner
    gone = factories.assignment(
        site.facility, factories.contractor(partner, "Val", "Void"), external_id="A-VOID"
    )
    certificates.cancel_assignment(gone)
    certificates.save_assignment(
        partner=partner,
        external_id="A-1",
        facility=site.facility,
        contractor=site.assignment.contractor,
        effective_date=date(2026, 3, 1),
        end_date=date(2026, 3, 20),
        description="Changed",
    )
    factories.member(site.facility, factories.person("newbie@example.com", name="Nia Newbie"))
    run_schedule(
        site.facility, site.member, [["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]
    )
    return site


def test_the_digest_reports_each_kind_of_change_of_the_week(smtp, busy_week):
    site = busy_week
    site.assignment.refresh_from_db()
    new_number = site.assignment.current_certificate.number
    queued = send_weekly_digest(50, now=sending_time())
    send_due()
    recipients = sorted(m["To"] for m in smtp.messages)
    # Everyone at the facility (the newcomer too); nobody at the quiet facility.
    assert recipients == ["mo@example.com", "newbie@example.com", "tia@example.com"]
    assert queued == 3
    message = next(m for m in smtp.messages if m["To"] == "mo@example.com")
    assert "Your week at St Mary Regional" in message["Subject"]
    text = text_body(message)
    assert "== St Mary Regional ==" in text
    assert "New certificates: 2" in text  # Jane's first certificate and Val's
    assert "Void certificates: 1" in text and "Val Void" in text
    assert f"/facilities/{site.facility.pk}/certificates/?status=void" in text
    assert "Superseded certificates: 1" in text and f"now {new_number}" in text
    assert "New team members: 1" in text and "Nia Newbie (newbie@example.com)" in text
    assert "New team members: 4" not in text  # the fixture's members joined too, but:
    assert "Reconciliations run: 1" in text and "by mo@example.com" in text
    assert "http://testserver/notifications/" in text
    html = html_body(message)
    assert "St Mary Regional" in html and "Void certificates: 1" in html
    assert (
        str(message["List-Unsubscribe"])
        .strip()
        .startswith("<http://testserver/notifications/unsubscribe/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_email_covers_all_of_a_persons_facilities(smtp, busy_week):
    site = busy_week
    factories.member(site.other, site.member)
    factories.assignment(site.other, external_id="A-OTHER")
    send_weekly_digest(50, now=sending_time())
    send_due()
    mine = [m for m in smtp.messages if m["To"] == "mo@example.com"]
    assert len(mine) == 1
    assert "2 facilities" in mine[0]["Subject"]
    text = text_body(mine[0])
    assert "== Elsewhere Care ==" in text and "== St Mary Regional ==" in text


def test_nothing_to_report_no_email(smtp, site):
    # The fixture's assignment is this week's news at site.facility; at site.other, nothing.
    send_weekly_digest(50, now=sending_time())
    send_due()
    assert "sam@example.com" not in {m["To"] for m in smtp.messages}
    # A week later, nothing happened anywhere: no e-mail at all, and the week is recorded.
    assert send_weekly_digest(50, now=sending_time() + timedelta(days=7)) == 0
    assert DigestWeek.objects.filter(skipped=False).count() == 2


def test_the_digest_is_not_resent_after_a_restart(smtp, busy_week):
    moment = sending_time()
    assert send_weekly_digest(50, now=moment) == 3
    # The worker restarts and runs its rounds again, later that day and that week.
    assert send_weekly_digest(50, now=moment) == 0
    assert send_weekly_digest(50, now=moment + timedelta(hours=5)) == 0
    assert send_weekly_digest(50, now=moment + timedelta(days=6)) == 0
    send_due()
    assert len(smtp.messages) == 3
    assert DigestWeek.objects.get(skipped=False).emails == 3


def test_before_the_scheduled_hour_the_previous_week_is_the_one_due(site, settings):
    settings.NOTIFICATIONS_DIGEST_WEEKDAY = 2  # Wednesday
    settings.NOTIFICATIONS_DIGEST_HOUR = 9
    moment = sending_time()
    send_weekly_digest(50, now=moment)
    week = DigestWeek.objects.latest("period_end")
    assert week.period_end.weekday() == 2 and week.period_end.hour == 9
    assert week.period_end <= moment < week.period_end + timedelta(days=7)


def test_a_person_who_turned_the_digest_off_gets_none(smtp, busy_week):
    Preferences.objects.create(person=busy_week.member, weekly_digest=False)
    send_weekly_digest(50, now=sending_time())
    assert not OutboundEmail.objects.filter(to="mo@example.com").exists()
    assert OutboundEmail.objects.filter(to="tia@example.com").exists()


def test_a_removed_member_gets_no_digest(busy_week):
    from compliance_hub.facilities.models import Membership

    Membership.objects.filter(person=busy_week.teammate).update(revoked_at=timezone.now())
    send_weekly_digest(50, now=sending_time())
    assert not OutboundEmail.objects.filter(to="tia@example.com").exists()


def test_the_first_run_records_the_week_due_and_sends_nothing(busy_week):
    DigestWeek.objects.all().delete()  # a new installation: the job never ran
    assert send_weekly_digest(50, now=sending_time()) == 0
    assert not OutboundEmail.objects.exists()
    assert DigestWeek.objects.get().skipped
    # The next week is the first digest sent.
    assert send_weekly_digest(50, now=sending_time() + timedelta(days=7)) == 0  # a quiet week
    assert DigestWeek.objects.filter(skipped=False).count() == 1
