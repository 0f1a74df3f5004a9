"""Plain functions that build test data. Each call makes fresh, unique rows."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from compliance_hub.accounts.models import Person
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Assignment, Contractor
from compliance_hub.demo.seed import Line, partner_with_program
from compliance_hub.facilities.models import CoverageLine, Facility, Membership, Partner

_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


def partner(**kw: Any) -> Partner:
    i = n()
    limits = [["Each occurrence", 1_000_000], ["General aggregate", 3_000_000]]
    return partner_with_program(
        kw.pop("name", f"Partner {i}"),
        kw.pop("slug", f"partner-{i}"),
        {"A": ("Granite Mutual", "24512")},
        [Line("A", CoverageLine.Kind.GENERAL_LIABILITY, f"GL-{i:04d}", limits)],
        producer_name=kw.pop("producer_name", "Harbor & Vale Insurance Brokers"),
        producer_address="220 Market Street\nColumbus, OH 43215",
        **kw,
    )


def facility(partner_: Partner | None = None, **kw: Any) -> Facility:
    i = n()
    return Facility.objects.create(
        partner=partner_ or partner(),
        external_id=kw.pop("external_id", f"FAC-{i}"),
        name=kw.pop("name", f"Facility {i}"),
        address_line1="1 Main St",
        city="Columbus",
        region="OH",
        postal_code="43215",
        **kw,
    )


def person(email: str | None = None, **kw: Any) -> Person:
    return Person.objects.create_user(email or f"person{n()}@example.com", **kw)


def member(
    facility_: Facility, person_: Person | None = None, role: str = Membership.Role.MEMBER
) -> Person:
    p = person_ or person()
    Membership.objects.create(person=p, facility=facility_, role=role)
    return p


def contractor(partner_: Partner, first: str = "Jane", last: str | None = None, **kw: Any):
    i = n()
    return Contractor.objects.create(
        partner=partner_,
        external_id=kw.pop("external_id", f"C-{i}"),
        first_name=first,
        last_name=last if last is not None else f"Doe{i}",
        **kw,
    )


def assignment(
    facility_: Facility,
    contractor_: Contractor | None = None,
    effective: date = date(2026, 3, 1),
    end: date | None = None,
    description: str = "Registered nurse, night shift",
    external_id: str | None = None,
) -> Assignment:
    result = services.save_assignment(
        partner=facility_.partner,
        external_id=external_id or f"A-{n()}",
        facility=facility_,
        contractor=contractor_ or contractor(facility_.partner),
        effective_date=effective,
        end_date=end or effective,
        description=description,
    )
    return result.assignment
