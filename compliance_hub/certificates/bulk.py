"""Bulk upsert of assignments: ``services.save_assignment()`` semantics, set-based.

One transaction for the whole batch, all or nothing. Existing rows are fetched (and locked)
in one query; each item is ``created``, ``updated`` (a certified field changed, or a
cancelled assignment is re-activated: a new certificate supersedes the current one) or
``unchanged`` (nothing is written). New rows and certificates are inserted with
``bulk_create``; the coverage program is read once. PDFs are rendered later (see
``documents``), which keeps ingest at thousands of assignments a second.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from compliance_hub.certificates import issuance
from compliance_hub.certificates.models import (
    Assignment,
    Certificate,
    Contractor,
    contractor_names,
)
from compliance_hub.certificates.services import Outcome
from compliance_hub.facilities.models import Facility, Partner, external_id_validator

MAX_ITEMS = 1000
_DESCRIPTION_MAX = Assignment._meta.get_field("description").max_length or 500


@dataclass(frozen=True)
class BulkItem:
    external_id: str
    facility: str  # the facility's external id
    contractor: str  # the contractor's external id
    effective_date: date
    end_date: date
    description: str = ""


@dataclass(frozen=True)
class BulkResult:
    index: int
    external_id: str
    outcome: Outcome
    assignment: Assignment
    certificate: Certificate | None  # the current certificate after the call


class BulkRejected(Exception):
    """Nothing was written. ``errors`` are ``(item index or None, field, message)``."""

    def __init__(self, errors: list[tuple[int | None, str, str]]) -> None:
        super().__init__(f"{len(errors)} invalid item(s)")
        self.errors = errors


_EXTERNAL_ID = re.compile(external_id_validator.regex)


def _valid_id(value: str) -> bool:
    return _EXTERNAL_ID.fullmatch(value) is not None


def check_items(items: Sequence[BulkItem]) -> list[tuple[int | None, str, str]]:
    """Everything wrong with ``items`` that can be told without the database."""
    if not items:
        return [(None, "items", "Send at least one item.")]
    if len(items) > MAX_ITEMS:
        return [(None, "items", f"Send at most {MAX_ITEMS} items per request.")]
    errors: list[tuple[int | None, str, str]] = []
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        for field in ("external_id", "facility", "contractor"):
            if not _valid_id(getattr(item, field)):
                errors.append((index, field, str(external_id_validator.message)))
        if item.end_date < item.effective_date:
            errors.append(
                (index, "end_date", "The end date must be on or after the effective date.")
            )
        if len(item.description) > _DESCRIPTION_MAX:
            errors.append((index, "description", f"Use at most {_DESCRIPTION_MAX} characters."))
        seen = first_seen.setdefault(item.external_id, index)
        if seen != index:
            errors.append(
                (index, "external_id", f"Appears more than once in this request (item {seen}).")
            )
    return errors


def upsert_assignments(partner: Partner, items: Sequence[BulkItem]) -> list[BulkResult]:
    """Create or update the partner's assignments in one transaction; raise ``BulkRejected``.

    Sending the same items again writes nothing and reports every item ``unchanged``.
    """
    errors = check_items(items)
    if any(index is None for index, _, _ in errors):
        raise BulkRejected(errors)
    with transaction.atomic():
        facilities = {
            f.external_id: f
            for f in Facility.objects.filter(
                partner=partner, external_id__in={i.facility for i in items}
            )
        }
        contractors = {
            c.external_id: c
            for c in Contractor.objects.filter(
                partner=partner, external_id__in={i.contractor for i in items}
            )
        }
        known = {(index, field) for index, field, _ in errors}
        errors += [
            e for e in _unknown_references(items, facilities, contractors) if e[:2] not in known
        ]
        if errors:
            raise BulkRejected(sorted(errors, key=lambda e: (e[0] or 0, e[1])))
        existing = {
            a.external_id: a
            for a in Assignment.objects.select_for_update(of=("self",))
            .select_related("current_certificate")
            .defer("current_certificate__snapshot")
            .filter(partner=partner, external_id__in=[i.external_id for i in items])
            .order_by("pk")
        }
        return _apply(partner, items, facilities, contractors, existing)


def _unknown_references(
    items: Sequence[BulkItem],
    facilities: dict[str, Facility],
    contractors: dict[str, Contractor],
) -> list[tuple[int | None, str, str]]:
    errors: list[tuple[int | None, str, str]] = []
    for index, item in enumerate(items):
        if item.facility not in facilities:
            errors.append((index, "facility", f"No facility with external id {item.facility!r}."))
        if item.contractor not in contractors:
            errors.append(
                (index, "contractor", f"No contractor with external id {item.contractor!r}.")
            )
    return errors


def _apply(
    partner: Partner,
    items: Sequence[BulkItem],
    facilities: dict[str, Facility],
    contractors: dict[str, Contractor],
    existing: dict[str, Assignment],
) -> list[BulkResult]:
    now = timezone.now()
    created: list[Assignment] = []
    updated: list[Assignment] = []
    outcomes: list[tuple[int, Assignment, Outcome]] = []
    for index, item in enumerate(items):
        facility, contractor = facilities[item.facility], contractors[item.contractor]
        assignment = existing.get(item.external_id)
        if assignment is None:
            assignment = Assignment(
                partner=partner,
                external_id=item.external_id,
                created_at=now,
                status=Assignment.Status.ACTIVE,
            )
            _assign(assignment, item, facility, contractor, now)
            created.append(assignment)
            outcomes.append((index, assignment, "created"))
            continue
        before = issuance.certified_values(assignment)
        was_cancelled = assignment.status == Assignment.Status.CANCELLED
        _assign(assignment, item, facility, contractor, now)
        if issuance.certified_values(assignment) == before and not was_cancelled:
            outcomes.append((index, assignment, "unchanged"))
            continue
        assignment.status = Assignment.Status.ACTIVE
        assignment.cancelled_at = None
        updated.append(assignment)
        outcomes.append((index, assignment, "updated"))

    if created or updated:
        _write(partner, created, updated, facilities, contractors, now)
    return [
        BulkResult(index, a.external_id, outcome, a, a.current_certificate)
        for index, a, outcome in outcomes
    ]


def _assign(
    assignment: Assignment,
    item: BulkItem,
    facility: Facility,
    contractor: Contractor,
    now: datetime,
) -> None:
    """Set the item's values on ``assignment`` (in memory; ``updated_at`` only if changed)."""
    changed = (
        assignment.pk is None
        or assignment.facility_id != facility.pk
        or assignment.contractor_id != contractor.pk
    )
    assignment.facility = facility
    assignment.contractor = contractor
    assignment.effective_date = item.effective_date
    assignment.end_date = item.end_date
    assignment.description = item.description
    if changed or assignment.contractor_name != contractor.full_name:
        for field, value in contractor_names(contractor).items():
            setattr(assignment, field, value)
    assignment.updated_at = now if assignment.pk is None else assignment.updated_at


_UPDATED_FIELDS = [
    "facility",
    "contractor",
    "effective_date",
    "end_date",
    "description",
    "contractor_name",
    "sort_name",
    "search_name",
    "status",
    "cancelled_at",
    "updated_at",
]


def _write(
    partner: Partner,
    created: list[Assignment],
    updated: list[Assignment],
    facilities: dict[str, Facility],
    contractors: dict[str, Contractor],
    now: datetime,
) -> None:
    Assignment.objects.bulk_create(created, batch_size=MAX_ITEMS)
    previous: dict[int, int] = {}
    if updated:
        previous = dict(
            Certificate.objects.filter(
                assignment__in=updated, status=Certificate.Status.ISSUED
            ).values_list("assignment_id", "id")
        )
        Certificate.objects.filter(pk__in=previous.values()).update(
            status=Certificate.Status.SUPERSEDED, superseded_at=now
        )
    program = issuance.program_snapshot(partner)
    by_pk_f = {f.pk: f for f in facilities.values()}
    by_pk_c = {c.pk: c for c in contractors.values()}
    certificates = []
    for assignment in [*created, *updated]:
        snapshot = issuance.build_snapshot(
            assignment, by_pk_c[assignment.contractor_id], by_pk_f[assignment.facility_id], program
        )
        certificate = issuance.new_certificate(assignment, snapshot, issued_at=now)
        certificate.supersedes_id = previous.get(assignment.pk)
        certificates.append(certificate)
    _avoid_number_clashes(certificates)
    Certificate.objects.bulk_create(certificates, batch_size=MAX_ITEMS)
    for certificate in certificates:
        certificate.assignment.current_certificate = certificate
    if updated:
        for assignment in updated:
            assignment.updated_at = now
        Assignment.objects.bulk_update(updated, _UPDATED_FIELDS, batch_size=MAX_ITEMS)
    # One statement, not a 1,000-branch CASE: point each new row at its (only) issued one.
    Assignment.objects.filter(pk__in=[c.assignment_id for c in certificates]).update(
        current_certificate=Subquery(
            Certificate.objects.filter(
                assignment=OuterRef("pk"), status=Certificate.Status.ISSUED
            ).values("pk")[:1]
        )
    )


def _avoid_number_clashes(certificates: list[Certificate]) -> None:
    """Draw new numbers for the (rare) ones already taken, in the batch or the database."""
    while True:
        numbers = [c.number for c in certificates]
        taken = set(Certificate.objects.filter(number__in=numbers).values_list("number", flat=True))
        seen: set[str] = set()
        clashes = 0
        for certificate in certificates:
            if certificate.number in taken or certificate.number in seen:
                certificate.number = issuance.new_certificate_number()
                clashes += 1
            seen.add(certificate.number)
        if not clashes:
            return
