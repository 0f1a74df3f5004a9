"""A facility whose member relies on a certificate, a real SMTP server on loopback, and the
notification jobs run as the worker runs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.facilities.models import Facility, Membership, Partner
from tests import factories
from tests.mailer.smtp import LoopbackSMTP, use_smtp


@pytest.fixture(autouse=True)
def _now_is_settled(settings):
    """Changes are announced at once (the settle delay is for concurrent writers)."""
    settings.NOTIFICATIONS_SETTLE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def smtp(settings):
    server = LoopbackSMTP()
    server.start()
    use_smtp(settings, server.port)
    yield server
    server.stop()


@dataclass
class Site:
    partner: Partner
    facility: Facility
    other: Facility  # same partner, another facility
    member: Person  # downloads the certificate
    teammate: Person  # same facility, never looked at it
    stranger: Person  # member of ``other`` only
    assignment: Assignment

    @property
    def certificate(self) -> Certificate:
        self.assignment.refresh_from_db()
        assert self.assignment.current_certificate is not None
        return self.assignment.current_certificate

    def browser(self, person: Person) -> Client:
        client = Client()
        client.force_login(person)
        return client

    def download(self, person: Person, number: str = "") -> None:
        """``person`` downloads certificate ``number`` (default: the site's current one)."""
        number = number or self.certificate.number
        url = f"/facilities/{self.facility.pk}/certificates/{number}/download/"
        response: Any = self.browser(person).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.fixture
def site(db) -> Site:
    partner = factories.partner(name="Acme Staffing")
    facility = factories.facility(partner, name="St Mary Regional")
    other = factories.facility(partner, name="Elsewhere Care")
    member = factories.member(facility, factories.person("mo@example.com", name="Mo Member"))
    teammate = factories.member(facility, factories.person("tia@example.com"), "primary")
    stranger = factories.member(other, factories.person("sam@example.com"))
    # They joined long ago: this week's digest does not report them as new.
    Membership.objects.update(created_at=timezone.now() - timedelta(days=30))
    jane = factories.contractor(partner, "Jane", "Doe", external_id="C-JANE")
    assignment = factories.assignment(
        facility, jane, date(2026, 3, 1), date(2026, 3, 10), external_id="A-1"
    )
    return Site(partner, facility, other, member, teammate, stranger, assignment)
