"""Issuing certificates: a frozen coverage snapshot and a number per assignment version.

Certificates are issued in the same transaction as the assignment change that causes
them (``services``), so an active assignment always has a current certificate. A certificate
states the partner's insurance program; a program without an insurer and a coverage line in
force backs no certificate (``ProgramIncomplete``). The PDF is rendered from the snapshot
later (by the worker, or on first request) and stored once; see ``documents``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from compliance_hub.certificates.models import Assignment, Certificate, Contractor
from compliance_hub.facilities.models import CoverageLine, Facility, Insurer, Partner

TEMPLATE_VERSION = "coi-v2"
# Crockford's base32 without look-alikes (no I, L, O, U): easy to read aloud and type.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_certificate_number() -> str:
    """A random, readable number such as ``CH-7K3M-9QXP`` (40 bits)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"CH-{raw[:4]}-{raw[4:]}"


def new_check_code() -> str:
    """The random code that, with the number, opens the public verification page (50 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


class ProgramIncomplete(Exception):
    """The partner's program cannot back a certificate; ``missing`` names what it lacks."""

    def __init__(self, partner: Partner, missing: list[str]) -> None:
        super().__init__(
            f"The insurance program of {partner.name} has no {' and no '.join(missing)}, "
            "so no certificate can be issued. The hub operator completes the program."
        )
        self.missing = missing


def _program(partner: Partner) -> tuple[list[Insurer], list[CoverageLine], list[str]]:
    """The partner's insurers, its coverage lines in force, and what is missing."""
    insurers = list(Insurer.objects.filter(partner=partner).order_by("letter"))
    lines = list(
        CoverageLine.objects.filter(partner=partner, active=True, insurer__partner=partner)
        .select_related("insurer")
        .order_by("position", "id")
    )
    missing = [
        what
        for what, present in (("insurer", insurers), ("coverage line in force", lines))
        if not present
    ]
    return insurers, lines, missing


def program_gaps(partner: Partner) -> list[str]:
    """What the partner's program lacks before it can back certificates (empty: complete)."""
    return _program(partner)[2]


def program_snapshot(partner: Partner) -> dict[str, Any]:
    """The partner's insurance program as certificates state it (producer, insurers, lines).

    Raises ``ProgramIncomplete`` unless it has an insurer and a coverage line in force.
    """
    insurers, lines, missing = _program(partner)
    if missing:
        raise ProgramIncomplete(partner, missing)
    return {
        "partner": partner.name,
        "producer": {
            "name": partner.producer_name,
            "address": [line for line in partner.producer_address.splitlines() if line.strip()],
            "contact": partner.producer_contact_name,
            "phone": partner.producer_phone,
            "email": partner.producer_email,
        },
        "representative": {
            "name": partner.representative_name,
            "title": partner.representative_title,
        },
        "insurers": [{"letter": i.letter, "name": i.name, "naic": i.naic} for i in insurers],
        "coverages": [_line_snapshot(line) for line in lines],
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _line_snapshot(line: CoverageLine) -> dict[str, Any]:
    """One coverage line as certificates state it (keys added by coi-v2 are optional for
    coi-v1, which never reads them)."""
    result: dict[str, Any] = {
        "kind": line.kind,
        "label": line.get_kind_display(),
        "insurer": line.insurer.letter,
        "policy_number": line.policy_number,
        "limits": [[str(label), int(amount)] for label, amount in line.limits],
        "additional_insured": line.additional_insured,
        "subrogation_waived": line.subrogation_waived,
        "policy_effective": _iso(line.policy_effective),
        "policy_expiry": _iso(line.policy_expiry),
        "basis": line.get_basis_display() if line.basis else "",
        "aggregate_applies_per": (
            line.get_aggregate_applies_per_display() if line.aggregate_applies_per else ""
        ),
    }
    if line.is_workers_compensation:
        result["workers_compensation"] = {
            "limits": line.get_wc_limits_display() if line.wc_limits else "",
            "proprietor_excluded": line.proprietor_excluded,
            "el_each_accident": line.el_each_accident,
            "el_disease_each_employee": line.el_disease_each_employee,
            "el_disease_policy_limit": line.el_disease_policy_limit,
        }
    return result


def build_snapshot(
    assignment: Assignment,
    contractor: Contractor,
    facility: Facility,
    program: dict[str, Any],
) -> dict[str, Any]:
    """Everything one certificate states, as plain JSON."""
    return {
        "template": TEMPLATE_VERSION,
        **program,
        "insured": {
            "name": contractor.full_name,
            "address": contractor.address_lines,
            "external_id": contractor.external_id,
        },
        "holder": {
            "name": facility.name,
            "address": facility.address_lines,
            "external_id": facility.external_id,
        },
        "assignment": {
            "external_id": assignment.external_id,
            "effective_date": assignment.effective_date.isoformat(),
            "end_date": assignment.end_date.isoformat(),
            "description": assignment.description,
        },
    }


def new_certificate(
    assignment: Assignment,
    snapshot: dict[str, Any],
    *,
    issued_at: datetime | None = None,
    supersedes: Certificate | None = None,
) -> Certificate:
    """An unsaved certificate for ``assignment`` (for ``bulk_create`` or ``save``)."""
    return Certificate(
        assignment=assignment,
        number=new_certificate_number(),
        check_code=new_check_code(),
        issued_at=issued_at or timezone.now(),
        status=Certificate.Status.ISSUED,
        snapshot=snapshot,
        template_version=TEMPLATE_VERSION,
        supersedes=supersedes,
    )


# Fields whose change makes the stated coverage different, so a new certificate is issued.
CERTIFIED_FIELDS = ("facility_id", "contractor_id", "effective_date", "end_date", "description")


def certified_values(assignment: Assignment) -> tuple[Any, ...]:
    return tuple(getattr(assignment, field) for field in CERTIFIED_FIELDS)


def history(assignment: Assignment) -> Iterable[Certificate]:
    """All certificates ever issued for an assignment, newest first."""
    return Certificate.objects.filter(assignment=assignment).order_by("-issued_at", "-id")
