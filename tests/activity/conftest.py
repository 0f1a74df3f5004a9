"""A facility with a primary contact, a team member, an outsider and a log to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import Facility, Membership, Partner, PartnerStaff
from tests import factories

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def log(verb: str, *, at: datetime, actor: Person | None = None, **kw) -> Activity:
    """One activity record at a given time (``record()`` always writes "now")."""
    facility = kw.get("facility")
    kw.setdefault("partner", facility.partner if facility is not None else None)
    return Activity.objects.create(
        verb=verb,
        at=at,
        actor=actor,
        actor_label=kw.pop("actor_label", actor.email if actor else "anonymous"),
        **kw,
    )


@dataclass
class Site:
    partner: Partner
    facility: Facility
    other: Facility  # same partner
    foreign: Facility  # another partner
    primary: Person
    member: Person
    outsider: Person  # primary contact of ``other`` only
    staff: Person
    other_staff: Person

    def client(self, person: Person) -> Client:
        client = Client()
        client.force_login(person)
        return client


@pytest.fixture
def site(db) -> Site:
    partner = factories.partner(name="Acme Staffing")
    facility = factories.facility(partner, name="St Mary Regional")
    other = factories.facility(partner, name="Lakeside Care")
    foreign_partner = factories.partner(name="Other Staffing")
    foreign = factories.facility(foreign_partner, name="Somebody Else's Arena")
    primary = factories.member(
        facility, factories.person("pat.primary@example.com"), Membership.Role.PRIMARY
    )
    member = factories.member(facility, factories.person("mo.member@example.com"))
    outsider = factories.member(
        other, factories.person("otto.outsider@example.com"), Membership.Role.PRIMARY
    )
    staff = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=staff)
    other_staff = factories.person("ops@other.example")
    PartnerStaff.objects.create(partner=foreign_partner, person=other_staff)
    # Memberships began well before the log below.
    Membership.objects.update(created_at=timezone.now() - timedelta(days=3650))
    return Site(partner, facility, other, foreign, primary, member, outsider, staff, other_staff)
