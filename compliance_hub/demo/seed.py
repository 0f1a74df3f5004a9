"""A realistic, repeatable demo data set, inserted in bulk (``compliance-hub seed-demo``)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.certificates import issuance
from compliance_hub.certificates.models import (
    Assignment,
    Certificate,
    Contractor,
    contractor_names,
)
from compliance_hub.certificates.names import search_key
from compliance_hub.certificates.queries import widen_longest_assignment
from compliance_hub.demo import data
from compliance_hub.facilities.models import (
    CoverageLine,
    Facility,
    Insurer,
    Membership,
    Partner,
    PartnerStaff,
)

PARTNER_SLUG = "brightside"
PRIMARY_EMAIL = "alex.morgan@stmarys.example"
MEMBER_EMAIL = "jamie.lee@stmarys.example"
OTHER_PRIMARY_EMAIL = "pat.kim@riverside-arena.example"
PARTNER_STAFF_EMAIL = "ops@brightside.example"
OPERATOR_EMAIL = "operator@hub.example"

FACILITIES = [
    # external id, name, kind, address, city, region, zip, assignments
    (
        "FAC-STMARY",
        "St. Mary's Regional Medical Center",
        "hospital",
        "1200 Mercy Way",
        "Columbus",
        "OH",
        "43215",
        21_000,
    ),
    (
        "FAC-LAKESIDE",
        "Lakeside Care Home",
        "care_home",
        "45 Shoreline Dr",
        "Dayton",
        "OH",
        "45402",
        4_000,
    ),
    (
        "FAC-HARBOR",
        "Harborview Distribution Center",
        "warehouse",
        "9800 Logistics Pkwy",
        "Cincinnati",
        "OH",
        "45241",
        2_500,
    ),
    (
        "FAC-ARENA",
        "Riverside Event Arena",
        "venue",
        "1 Riverfront Plaza",
        "Pittsburgh",
        "PA",
        "15222",
        900,
    ),
]


@transaction.atomic
def seed(n_contractors: int, scale: float) -> dict[str, int]:
    rng = random.Random(20260101)
    partner = _partner()
    facilities = _facilities(partner)
    _people(facilities)
    contractors = _contractors(partner, n_contractors, rng)
    program = issuance.program_snapshot(partner)
    total_assignments = total_certificates = 0
    for facility, (_, _, kind, *_rest, count) in zip(facilities, FACILITIES, strict=True):
        a, c = _assignments(
            partner, facility, kind, max(1, int(count * scale)), contractors, program, rng
        )
        total_assignments += a
        total_certificates += c
    return {
        "facilities": len(facilities),
        "contractors": len(contractors),
        "assignments": total_assignments,
        "certificates": total_certificates,
    }


class Line(NamedTuple):
    """A coverage line of an insurance program (``insurer``: the insurer's letter)."""

    insurer: str
    kind: str
    policy_number: str
    limits: list[list[Any]]
    additional_insured: bool = False
    subrogation_waived: bool = False
    details: Mapping[str, Any] | None = None  # other CoverageLine fields (term, basis, E.L.)


ONE_INSURER = {"A": ("Granite Mutual", "")}  # letter: (name, NAIC number)
ONE_LINE = (
    Line("A", CoverageLine.Kind.GENERAL_LIABILITY, "GL-1", [["Each occurrence", 1_000_000]]),
)


def partner_with_program(
    name: str,
    slug: str,
    insurers: Mapping[str, tuple[str, str]] = ONE_INSURER,
    lines: Sequence[Line] = ONE_LINE,
    **fields: Any,
) -> Partner:
    """A partner whose insurance program can issue certificates: ``insurers`` and coverage
    ``lines``, in this order. ``fields``: its other columns (producer, support e-mail)."""
    partner = Partner.objects.create(name=name, slug=slug, **fields)
    by_letter = {
        letter: Insurer.objects.create(partner=partner, letter=letter, name=insurer, naic=naic)
        for letter, (insurer, naic) in insurers.items()
    }
    for position, line in enumerate(lines):
        values = {**line._asdict(), "insurer": by_letter[line.insurer]}
        values.update(values.pop("details") or {})
        CoverageLine.objects.create(partner=partner, position=position, **values)
    return partner


# The demo program's policy term (certificates print it beside each policy number).
TERM = {"policy_effective": date(2026, 1, 1), "policy_expiry": date(2027, 1, 1)}


def _partner() -> Partner:
    kind = CoverageLine.Kind
    return partner_with_program(
        "Brightside Staffing",
        PARTNER_SLUG,
        {
            "A": ("Granite Mutual Insurance Company", "24512"),
            "B": ("Lakeshore Casualty Company", "31877"),
            "C": ("Meridian Occupational Assurance Co.", "40219"),
        },
        [
            Line(
                "A",
                kind.GENERAL_LIABILITY,
                "GL-24-0481193",
                [
                    ["Each occurrence", 1_000_000],
                    ["Damage to rented premises", 100_000],
                    ["Medical expense (any one person)", 5_000],
                    ["Personal & adv injury", 1_000_000],
                    ["General aggregate", 3_000_000],
                    ["Products - comp/op agg", 3_000_000],
                ],
                additional_insured=True,
                subrogation_waived=True,
                details={**TERM, "basis": "occurrence", "aggregate_applies_per": "project"},
            ),
            Line(
                "B",
                kind.PROFESSIONAL_LIABILITY,
                "PL-7730912-02",
                [["Each claim", 1_000_000], ["Aggregate", 3_000_000]],
                details={**TERM, "basis": "claims_made", "aggregate_applies_per": "policy"},
            ),
            Line(
                "C",
                kind.OCCUPATIONAL_ACCIDENT,
                "OAI-55-208817",
                [
                    ["Accidental death & dismemberment", 250_000],
                    ["Accident medical expense", 1_000_000],
                    ["Temporary total disability (weekly)", 500],
                ],
                subrogation_waived=True,
                details=TERM,
            ),
        ],
        support_email="support@brightside.example",
        producer_name="Harbor & Vale Insurance Brokers, LLC",
        producer_address="220 Market Street, Suite 1400\nColumbus, OH 43215",
        producer_contact_name="Dana Whitfield",
        producer_phone="(614) 555-0142",
        producer_email="certificates@harborvale.example",
        representative_name="Dana Whitfield",
        representative_title="Account Executive",
    )


def _facilities(partner: Partner) -> list[Facility]:
    result = []
    for ext, name, _kind, street, city, region, postal, _count in FACILITIES:
        result.append(
            Facility.objects.create(
                partner=partner,
                external_id=ext,
                name=name,
                address_line1=street,
                city=city,
                region=region,
                postal_code=postal,
                bulk_download_enabled=ext != "FAC-LAKESIDE",
            )
        )
    return result


def _people(facilities: list[Facility]) -> None:
    st_marys, lakeside, harbor, arena = facilities
    alex = Person.objects.create_user(PRIMARY_EMAIL, name="Alex Morgan")
    jamie = Person.objects.create_user(MEMBER_EMAIL, name="Jamie Lee")
    pat = Person.objects.create_user(OTHER_PRIMARY_EMAIL, name="Pat Kim")
    ops = Person.objects.create_user(PARTNER_STAFF_EMAIL, name="Brightside Operations")
    Person.objects.create_superuser(OPERATOR_EMAIL, name="Hub Operator")
    partner = st_marys.partner
    PartnerStaff.objects.create(partner=partner, person=ops)
    for facility in (st_marys, lakeside, harbor):
        Membership.objects.create(
            person=alex, facility=facility, role=Membership.Role.PRIMARY, invited_by_partner=partner
        )
    Membership.objects.create(
        person=jamie, facility=st_marys, role=Membership.Role.MEMBER, invited_by=alex
    )
    Membership.objects.create(
        person=pat, facility=arena, role=Membership.Role.PRIMARY, invited_by_partner=partner
    )


def _contractors(partner: Partner, n: int, rng: random.Random) -> list[Contractor]:
    now = timezone.now()
    rows = []
    for i in range(n):
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        city, region, zip3 = rng.choice(data.CITIES)
        handle = search_key(f"{first}.{last}").replace(" ", "")
        rows.append(
            Contractor(
                partner=partner,
                external_id=f"C-{i + 1:05d}",
                first_name=first,
                last_name=last,
                email=f"{handle}{i % 97}@mail.example" if rng.random() < 0.8 else "",
                address_line1=f"{rng.randint(10, 9999)} {rng.choice(data.STREETS)}",
                city=city,
                region=region,
                postal_code=f"{zip3}{rng.randint(0, 99):02d}",
                search_name=search_key(f"{first} {last}"),
                created_at=now,
                updated_at=now,
            )
        )
    return Contractor.objects.bulk_create(rows, batch_size=1000)


def _assignments(
    partner: Partner,
    facility: Facility,
    kind: str,
    count: int,
    contractors: list[Contractor],
    program: dict[str, Any],
    rng: random.Random,
) -> tuple[int, int]:
    today = timezone.localdate()
    start = today - timedelta(days=730)
    # Each facility draws from its own pool of regulars, so names repeat as in real life.
    pool = rng.sample(contractors, k=min(len(contractors), max(30, count // 12)))
    works = data.WORK[kind]
    rows: list[Assignment] = []
    for i in range(count):
        contractor = rng.choice(pool)
        effective = start + timedelta(days=rng.randint(0, 730 + 30))
        if rng.random() < 0.75:
            end = effective  # a single shift
        else:
            end = effective + timedelta(days=rng.choice([6, 13, 20, 27, 41, 55, 89]))
        cancelled = rng.random() < 0.01
        created = _at(min(effective, today) - timedelta(days=rng.randint(1, 21)))
        rows.append(
            Assignment(
                partner=partner,
                facility=facility,
                contractor=contractor,
                external_id=f"{facility.external_id}-{i + 1:06d}",
                effective_date=effective,
                end_date=end,
                description=rng.choice(works),
                status=Assignment.Status.CANCELLED if cancelled else Assignment.Status.ACTIVE,
                **contractor_names(contractor),
                created_at=created,
                updated_at=created,
                cancelled_at=created + timedelta(days=1) if cancelled else None,
            )
        )
    Assignment.objects.bulk_create(rows, batch_size=1000)
    widen_longest_assignment(rows)

    by_id = {c.pk: c for c in contractors}
    old_certs: dict[int, Certificate] = {}
    superseded = [a for a in rows if rng.random() < 0.02]
    for a in superseded:
        # An earlier version of the assignment ended a week earlier, then was extended.
        earlier = Assignment(
            external_id=a.external_id,
            effective_date=a.effective_date,
            end_date=max(a.effective_date, a.end_date - timedelta(days=7)),
            description=a.description,
        )
        snap = issuance.build_snapshot(earlier, by_id[a.contractor_id], facility, program)
        cert = issuance.new_certificate(a, snap, issued_at=a.created_at)
        cert.status = Certificate.Status.SUPERSEDED
        cert.superseded_at = a.created_at + timedelta(days=2)
        old_certs[a.pk] = cert
    Certificate.objects.bulk_create(list(old_certs.values()), batch_size=1000)

    current: list[Certificate] = []
    for a in rows:
        snap = issuance.build_snapshot(a, by_id[a.contractor_id], facility, program)
        previous = old_certs.get(a.pk)
        issued_at = previous.superseded_at if previous is not None else a.created_at
        cert = issuance.new_certificate(a, snap, issued_at=issued_at, supersedes=previous)
        if a.status == Assignment.Status.CANCELLED:
            cert.status = Certificate.Status.VOID
            cert.voided_at = a.cancelled_at
        current.append(cert)
    Certificate.objects.bulk_create(current, batch_size=1000)
    for a, cert in zip(rows, current, strict=True):
        a.current_certificate = cert
    Assignment.objects.bulk_update(rows, ["current_certificate"], batch_size=1000)
    return len(rows), len(current) + len(old_certs)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(9, 0)))
