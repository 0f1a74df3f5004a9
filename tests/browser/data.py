"""The people, facilities and assignments the journeys use: small, with dates whose expected
filter results are easy to work out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from compliance_hub.accounts.models import Person
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Assignment
from compliance_hub.facilities.models import Facility, Membership, Partner, PartnerStaff
from tests import factories

PARTNER = "Shiftwise Staffing"
# A webhook receiver's address as long as real ones get (never called: nothing runs the worker).
WEBHOOK_URL = "http://127.0.0.1:9/integrations/compliance-hub/webhooks/production-receiver"


@dataclass
class Portal:
    """Two facilities of one partner; Pat is primary contact at both.

    Alder Court                                  Birch House
      Eve Moss    Dec 15, 2025 - Dec 19, 2025      Fay Gold   Jan 20, 2026 - Jan 23, 2026
      Ann Lee     Jan 5, 2026  - Jan 9, 2026       Bob Stone  Feb 10, 2026 - Feb 12, 2026
      Bob Stone   Feb 2, 2026  - Feb 6, 2026
      Cara Diaz   Feb 20, 2026 - Mar 4, 2026
      Dev Patel   Mar 4, 2026  - Mar 4, 2026
    """

    partner: Partner
    alder: Facility
    birch: Facility
    pat: Person
    rows: dict[str, Assignment]


def book(facility, contractor, effective, end, description) -> Assignment:
    return services.save_assignment(
        partner=facility.partner,
        external_id=f"A-{factories.n()}",
        facility=facility,
        contractor=contractor,
        effective_date=effective,
        end_date=end,
        description=description,
    ).assignment


def portal() -> Portal:
    partner = factories.partner(name=PARTNER, support_email="help@shiftwise.example")
    alder = factories.facility(partner, name="Alder Court Care Home")
    birch = factories.facility(partner, name="Birch House Hospital")
    pat = factories.person("pat.primary@alder.example", name="Pat Rivera")
    factories.member(alder, pat, role=Membership.Role.PRIMARY)
    factories.member(birch, pat, role=Membership.Role.PRIMARY)
    people = {
        name: factories.contractor(partner, *name.split())
        for name in ("Ann Lee", "Bob Stone", "Cara Diaz", "Dev Patel", "Eve Moss", "Fay Gold")
    }
    rows = {
        "eve": book(alder, people["Eve Moss"], date(2025, 12, 15), date(2025, 12, 19), "Porter"),
        "ann": book(
            alder, people["Ann Lee"], date(2026, 1, 5), date(2026, 1, 9), "Registered nurse"
        ),
        "bob": book(
            alder, people["Bob Stone"], date(2026, 2, 2), date(2026, 2, 6), "Care assistant"
        ),
        "cara": book(
            alder, people["Cara Diaz"], date(2026, 2, 20), date(2026, 3, 4), "Night nurse"
        ),
        "dev": book(alder, people["Dev Patel"], date(2026, 3, 4), date(2026, 3, 4), "Cook"),
        "fay": book(
            birch, people["Fay Gold"], date(2026, 1, 20), date(2026, 1, 23), "Forklift driver"
        ),
        "bob_birch": book(
            birch, people["Bob Stone"], date(2026, 2, 10), date(2026, 2, 12), "Care assistant"
        ),
    }
    return Portal(partner=partner, alder=alder, birch=birch, pat=pat, rows=rows)


def partner_staff(partner: Partner, email: str = "ops@shiftwise.example") -> Person:
    person = factories.person(email, name="Olu Ops")
    PartnerStaff.objects.create(partner=partner, person=person)
    return person
