"""Writing contractors and assignments; each assignment change issues, supersedes or voids
certificates in the same transaction.

One upsert serves a batch and a single assignment (a batch of one): all or nothing, every
item ``created``, ``updated`` (a certified field changed, or a cancelled assignment comes
back: a new certificate supersedes the current one) or ``unchanged`` (nothing is written).
Existing rows are read and locked in one query, new rows and certificates inserted with
``bulk_create``, the partner's program read once. PDFs are rendered later (``documents``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from compliance_hub.certificates import issuance
from compliance_hub.certificates.models import (
    Assignment,
    Certificate,
    Contractor,
    contractor_names,
)
from compliance_hub.certificates.queries import widen_longest_assignment
from compliance_hub.core.text import BIDI_MESSAGE, has_bidi_controls
from compliance_hub.facilities.models import (
    EXTERNAL_ID_PATTERN,
    Facility,
    Partner,
    external_id_validator,
)
from compliance_hub.webhooks import emit as webhooks

Outcome = Literal["created", "updated", "unchanged"]
MAX_ITEMS = 1000
Row = TypeVar("Row", bound=models.Model)


def upsert_row(
    model: type[Row], partner: Partner, external_id: str, values: Mapping[str, Any]
) -> tuple[Row, Outcome, list[str]]:
    """Create or update the partner's ``model`` row ``external_id`` with field ``values``.

    The values must pass the model's field validators. Returns the row, the outcome and the
    names of the fields that changed (the same values again write nothing).
    """
    row = (
        model._default_manager.select_for_update()
        .filter(partner=partner, external_id=external_id)
        .first()
    )
    outcome: Outcome = "updated"
    if row is None:
        row, outcome = model(partner=partner, external_id=external_id), "created"
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed and outcome == "updated":
        return row, "unchanged", []
    for name in changed:
        setattr(row, name, values[name])
    row.clean_fields(
        exclude=[f.name for f in row._meta.fields if f.name not in {*values, "external_id"}]
    )
    row.updated_at = timezone.now()  # type: ignore[attr-defined]
    row.save()
    return row, outcome, changed


@transaction.atomic
def upsert_contractor(
    partner: Partner, external_id: str, values: Mapping[str, Any]
) -> tuple[Contractor, Outcome]:
    """Create or update the partner's contractor ``external_id`` (model field ``values``).

    A new name is copied to the contractor's assignments (the facility table shows and sorts
    by it); certificates already issued keep the name they were issued with.
    """
    contractor, outcome, changed = upsert_row(Contractor, partner, external_id, values)
    if outcome == "updated" and {"first_name", "last_name"} & set(changed):
        Assignment.objects.filter(contractor=contractor).update(**contractor_names(contractor))
    return contractor, outcome


@dataclass(frozen=True)
class AssignmentItem:
    """One assignment as the partner states it, by external ids."""

    external_id: str
    facility: str
    contractor: str
    effective_date: date
    end_date: date
    description: str = ""


@dataclass(frozen=True)
class AssignmentResult:
    index: int
    assignment: Assignment
    outcome: Outcome
    certificate: Certificate | None  # the current certificate after the call


class AssignmentsRejected(Exception):
    """Nothing was written. ``errors`` are ``(item index or None, field, message)``."""

    def __init__(self, errors: list[tuple[int | None, str, str]]) -> None:
        super().__init__(f"{len(errors)} invalid item(s)")
        self.errors = errors


_EXTERNAL_ID = re.compile(EXTERNAL_ID_PATTERN)
_DESCRIPTION_MAX = Assignment._meta.get_field("description").max_length or 500


def check_items(items: Sequence[AssignmentItem]) -> list[tuple[int | None, str, str]]:
    """Everything wrong with ``items`` that can be told without the database."""
    if not items:
        return [(None, "items", "Send at least one item.")]
    if len(items) > MAX_ITEMS:
        return [(None, "items", f"Send at most {MAX_ITEMS} items per request.")]
    errors: list[tuple[int | None, str, str]] = []
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        for name in ("external_id", "facility", "contractor"):
            if _EXTERNAL_ID.fullmatch(getattr(item, name)) is None:
                errors.append((index, name, str(external_id_validator.message)))
        if len(item.description) > _DESCRIPTION_MAX:
            errors.append((index, "description", f"Use at most {_DESCRIPTION_MAX} characters."))
        if has_bidi_controls(item.description):
            errors.append((index, "description", BIDI_MESSAGE))
        if item.end_date < item.effective_date:
            errors.append(
                (index, "end_date", "The end date must be on or after the effective date.")
            )
        seen = first_seen.setdefault(item.external_id, index)
        if seen != index:
            errors.append(
                (index, "external_id", f"Appears more than once in this request (item {seen}).")
            )
    return errors


def upsert_assignments(partner: Partner, items: Sequence[AssignmentItem]) -> list[AssignmentResult]:
    """Create or update the partner's assignments, all or nothing; raise
    ``AssignmentsRejected`` (or ``issuance.ProgramIncomplete``) and write nothing otherwise.

    Sending the same items again writes nothing and reports every item ``unchanged``.
    """
    errors = check_items(items)
    if any(index is None for index, _, _ in errors):
        raise AssignmentsRejected(errors)
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
        for index, item in enumerate(items):
            for field, found, kind in (
                ("facility", facilities, "facility"),
                ("contractor", contractors, "contractor"),
            ):
                value = getattr(item, field)
                if value not in found and (index, field) not in known:
                    errors.append((index, field, f"No {kind} with external id {value!r}."))
        if errors:
            raise AssignmentsRejected(sorted(errors, key=lambda e: (e[0] or 0, e[1])))
        return _apply(partner, items, facilities, contractors)


def upsert_assignment(partner: Partner, item: AssignmentItem) -> AssignmentResult:
    """One assignment: ``upsert_assignments`` with one item; errors name the item's fields."""
    try:
        [result] = upsert_assignments(partner, [item])
    except AssignmentsRejected as exc:
        messages: dict[str, list[str]] = {}
        for _, field, message in exc.errors:
            messages.setdefault(field, []).append(message)
        raise ValidationError(messages) from None
    return result


def save_assignment(
    *,
    partner: Partner,
    external_id: str,
    facility: Facility,
    contractor: Contractor,
    effective_date: date,
    end_date: date,
    description: str = "",
) -> AssignmentResult:
    """``upsert_assignment`` for a caller holding the facility and contractor rows."""
    if facility.partner_id != partner.pk or contractor.partner_id != partner.pk:
        raise ValidationError("Facility and contractor must belong to the same partner.")
    item = AssignmentItem(
        external_id,
        facility.external_id,
        contractor.external_id,
        effective_date,
        end_date,
        description,
    )
    return upsert_assignment(partner, item)


def _apply(
    partner: Partner,
    items: Sequence[AssignmentItem],
    facilities: dict[str, Facility],
    contractors: dict[str, Contractor],
) -> list[AssignmentResult]:
    existing = {
        a.external_id: a
        for a in Assignment.objects.select_for_update(of=("self",))
        .select_related("current_certificate")
        .defer("current_certificate__snapshot")
        .filter(partner=partner, external_id__in=[i.external_id for i in items])
        .order_by("pk")
    }
    now = timezone.now()
    created: list[Assignment] = []
    updated: list[Assignment] = []
    outcomes: list[tuple[Assignment, Outcome]] = []
    for item in items:
        facility, contractor = facilities[item.facility], contractors[item.contractor]
        assignment = existing.get(item.external_id)
        if assignment is None:
            assignment = Assignment(partner=partner, external_id=item.external_id, created_at=now)
            _assign(assignment, item, facility, contractor)
            created.append(assignment)
            outcomes.append((assignment, "created"))
            continue
        before = issuance.certified_values(assignment)
        was_cancelled = assignment.status == Assignment.Status.CANCELLED
        _assign(assignment, item, facility, contractor)
        if issuance.certified_values(assignment) == before and not was_cancelled:
            outcomes.append((assignment, "unchanged"))
            continue
        updated.append(assignment)
        outcomes.append((assignment, "updated"))
    if created or updated:
        _issue(partner, created, updated, now)
    return [
        AssignmentResult(index, a, outcome, a.current_certificate)
        for index, (a, outcome) in enumerate(outcomes)
    ]


def _assign(
    assignment: Assignment, item: AssignmentItem, facility: Facility, contractor: Contractor
) -> None:
    """Set the item's (certified) values on ``assignment`` in memory."""
    assignment.facility = facility
    assignment.contractor = contractor
    assignment.effective_date = item.effective_date
    assignment.end_date = item.end_date
    assignment.description = item.description


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


def _issue(
    partner: Partner, created: list[Assignment], updated: list[Assignment], now: datetime
) -> None:
    """Write the changed assignments and a new current certificate for each; the certificate
    each of ``updated`` had is superseded."""
    program = issuance.program_snapshot(partner)  # before any write: refused if incomplete
    for assignment in [*created, *updated]:
        for field, value in contractor_names(assignment.contractor).items():
            setattr(assignment, field, value)
        assignment.status = Assignment.Status.ACTIVE
        assignment.cancelled_at = None
        assignment.updated_at = now
    Assignment.objects.bulk_create(created, batch_size=MAX_ITEMS)
    widen_longest_assignment([*created, *updated])
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
        Assignment.objects.bulk_update(updated, _UPDATED_FIELDS, batch_size=MAX_ITEMS)
    certificates = []
    for assignment in [*created, *updated]:
        snapshot = issuance.build_snapshot(
            assignment, assignment.contractor, assignment.facility, program
        )
        certificate = issuance.new_certificate(assignment, snapshot, issued_at=now)
        certificate.supersedes_id = previous.get(assignment.pk)
        certificates.append(certificate)
    _avoid_number_clashes(certificates)
    Certificate.objects.bulk_create(certificates, batch_size=MAX_ITEMS)
    for certificate in certificates:
        certificate.assignment.current_certificate = certificate
    # One statement, not a CASE per row: point each assignment at its (only) issued one.
    Assignment.objects.filter(pk__in=[c.assignment_id for c in certificates]).update(
        current_certificate=Subquery(
            Certificate.objects.filter(
                assignment=OuterRef("pk"), status=Certificate.Status.ISSUED
            ).values("pk")[:1]
        )
    )
    # Partners hear of it through the outbox, committed with the certificates or not at all.
    webhooks.certificate_changes(
        partner.pk, issued=certificates, superseded_ids=list(previous.values())
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


@transaction.atomic
def cancel_assignment(assignment: Assignment) -> tuple[Assignment, bool]:
    """Cancel an assignment and void its certificate. Returns (assignment, changed)."""
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status == Assignment.Status.CANCELLED:
        return locked, False
    now = timezone.now()
    locked.status = Assignment.Status.CANCELLED
    locked.cancelled_at = now
    locked.updated_at = now
    locked.save(update_fields=["status", "cancelled_at", "updated_at"])
    voided = list(
        Certificate.objects.filter(assignment=locked, status=Certificate.Status.ISSUED).values_list(
            "pk", flat=True
        )
    )
    Certificate.objects.filter(pk__in=voided).update(status=Certificate.Status.VOID, voided_at=now)
    webhooks.certificate_changes(locked.partner_id, voided_ids=voided)
    return locked, True
