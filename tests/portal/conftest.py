"""A small facility whose assignments make every filter's expected result easy to work out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from compliance_hub.accounts.models import Person
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Assignment
from compliance_hub.facilities.models import Facility
from tests import factories


@dataclass
class Roster:
    """Facility ``facility`` (a member: ``person``) and its assignments by label."""

    facility: Facility
    other: Facility  # same partner, the person is no member
    person: Person
    rows: dict[str, Assignment]

    def labels(self, assignments) -> list[str]:
        by_id = {a.pk: label for label, a in self.rows.items()}
        return [by_id.get(a.pk, f"foreign:{a.pk}") for a in assignments]


def book(facility, contractor, effective, end, external_id=None, description="Night shift"):
    return services.save_assignment(
        partner=facility.partner,
        external_id=external_id or f"A-{factories.n()}",
        facility=facility,
        contractor=contractor,
        effective_date=effective,
        end_date=end,
        description=description,
    ).assignment


@pytest.fixture
def roster(db) -> Roster:
    """Six assignments at one facility (dates inclusive):

    A1 Ann Lee          2025-01-01 .. 2025-01-01
    A2 Bob Stone        2025-01-01 .. 2025-01-10
    A3 Zoë O'Neil       2025-01-15 .. 2025-02-15
    A4 Ann Lee          2025-02-01 .. 2025-02-01   (a second row for the same contractor)
    A5 Carl Åberg       2024-12-20 .. 2025-01-05
    A6 Dana Smith-Jones 2025-03-01 .. 2025-03-31   (cancelled: its certificate is void)

    plus Ann Lee at another facility of the same partner, 2025-01-01, never shown.
    """
    partner = factories.partner(name="Shiftwise Staffing")
    facility = factories.facility(partner, name="Riverside Care Home")
    other = factories.facility(partner, name="Hillside Hospital")
    ann = factories.contractor(partner, "Ann", "Lee")
    bob = factories.contractor(partner, "Bob", "Stone")
    zoe = factories.contractor(partner, "Zoë", "O'Neil")
    carl = factories.contractor(partner, "Carl", "Åberg")
    dana = factories.contractor(partner, "Dana", "Smith-Jones")
    rows = {
        "A1": book(facility, ann, date(2025, 1, 1), date(2025, 1, 1)),
        "A2": book(facility, bob, date(2025, 1, 1), date(2025, 1, 10)),
        "A3": book(facility, zoe, date(2025, 1, 15), date(2025, 2, 15)),
        "A4": book(facility, ann, date(2025, 2, 1), date(2025, 2, 1)),
        "A5": book(facility, carl, date(2024, 12, 20), date(2025, 1, 5)),
        "A6": book(facility, dana, date(2025, 3, 1), date(2025, 3, 31)),
    }
    services.cancel_assignment(rows["A6"])
    book(other, ann, date(2025, 1, 1), date(2025, 1, 1))
    person = factories.member(facility, factories.person(name="Pat Member"))
    facility.refresh_from_db()  # as a request loads it: with its longest assignment
    return Roster(facility=facility, other=other, person=person, rows=rows)
