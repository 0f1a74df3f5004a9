"""Creating and changing assignments; each change issues, supersedes or voids certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance_hub.certificates import issuance
from compliance_hub.certificates.models import (
    Assignment,
    Certificate,
    Contractor,
    contractor_names,
)
from compliance_hub.facilities.models import Facility, Partner

Outcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class AssignmentResult:
    assignment: Assignment
    outcome: Outcome
    certificate: Certificate | None


def _check_dates(effective_date: date, end_date: date) -> None:
    if end_date < effective_date:
        raise ValidationError({"end_date": "The end date must be on or after the effective date."})


@transaction.atomic
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
    """Create or update the partner's assignment ``external_id``; issue its certificate.

    Sending the same values again changes nothing and issues nothing (``unchanged``).
    Changing a certified field (dates, contractor, facility, description) issues a new
    certificate that supersedes the current one. A cancelled assignment sent again with
    values is re-activated with a new certificate.
    """
    if facility.partner_id != partner.pk or contractor.partner_id != partner.pk:
        raise ValidationError("Facility and contractor must belong to the same partner.")
    _check_dates(effective_date, end_date)
    now = timezone.now()
    existing = (
        Assignment.objects.select_for_update()
        .filter(partner=partner, external_id=external_id)
        .first()
    )
    if existing is None:
        assignment = Assignment(
            partner=partner,
            external_id=external_id,
            facility=facility,
            contractor=contractor,
            effective_date=effective_date,
            end_date=end_date,
            description=description,
            **contractor_names(contractor),
            created_at=now,
            updated_at=now,
        )
        assignment.full_clean(exclude=["partner", "facility", "contractor"])
        assignment.save()
        certificate = issuance.issue_for(assignment)
        return AssignmentResult(assignment, "created", certificate)

    before = issuance.certified_values(existing)
    was_cancelled = existing.status == Assignment.Status.CANCELLED
    existing.facility = facility
    existing.contractor = contractor
    existing.effective_date = effective_date
    existing.end_date = end_date
    existing.description = description
    if issuance.certified_values(existing) == before and not was_cancelled:
        return AssignmentResult(existing, "unchanged", None)
    for field, value in contractor_names(contractor).items():
        setattr(existing, field, value)
    existing.status = Assignment.Status.ACTIVE
    existing.cancelled_at = None
    existing.updated_at = now
    existing.full_clean(exclude=["partner", "facility", "contractor"])
    existing.save()
    certificate = issuance.issue_for(existing)
    return AssignmentResult(existing, "updated", certificate)


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
    issuance.void_current(locked)
    return locked, True
