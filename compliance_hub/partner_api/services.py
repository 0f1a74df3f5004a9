"""What a partner changes through the API or console: facilities, contractors, assignments.

Upserts are idempotent: the same values again write nothing and report ``unchanged``.
Renaming a contractor updates the names shown in facility tables but does not re-issue
certificates (they state what was true at issue).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.certificates import services as certificate_services
from compliance_hub.certificates.models import Assignment, Contractor, contractor_names
from compliance_hub.certificates.services import AssignmentResult, Outcome
from compliance_hub.facilities.models import Facility, Partner


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in partner staff person, or an API key."""

    person: Any
    label: str
    request: HttpRequest | None = None

    @classmethod
    def key(cls, prefix: str, request: HttpRequest | None = None) -> Actor:
        return cls(None, f"api:{prefix}", request)

    @classmethod
    def staff(cls, person: Any, request: HttpRequest | None = None) -> Actor:
        return cls(person, person.email, request)


@dataclass(frozen=True)
class Address:
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "US"


def _changed(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``obj``; return the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _address_values(address: Address) -> dict[str, Any]:
    return {f.name: getattr(address, f.name) for f in fields(address)}


# --- facilities -------------------------------------------------------------------------


@transaction.atomic
def upsert_facility(
    partner: Partner,
    external_id: str,
    *,
    name: str,
    address: Address,
    bulk_download_enabled: bool | None,
    actor: Actor,
) -> tuple[Facility, Outcome]:
    """Create or update the partner's facility ``external_id``.

    ``bulk_download_enabled=None`` keeps the current setting (off for a new facility).
    """
    values = {"name": name, **_address_values(address)}
    facility = (
        Facility.objects.select_for_update()
        .filter(partner=partner, external_id=external_id)
        .first()
    )
    if facility is None:
        facility = Facility(partner=partner, external_id=external_id, **values)
        facility.save()
        if bulk_download_enabled:
            set_bulk_download(facility, True, actor=actor)
        return facility, "created"
    changed = _changed(facility, values)
    if changed:
        facility.updated_at = timezone.now()
        facility.save(update_fields=[*changed, "updated_at"])
    settings_changed = bulk_download_enabled is not None and set_bulk_download(
        facility, bulk_download_enabled, actor=actor
    )
    return facility, "updated" if changed or settings_changed else "unchanged"


@transaction.atomic
def set_bulk_download(facility: Facility, enabled: bool, *, actor: Actor) -> bool:
    """Turn the facility's bulk download on or off; record it. Returns whether it changed."""
    now = timezone.now()
    changed = (
        Facility.objects.filter(pk=facility.pk)
        .exclude(bulk_download_enabled=enabled)
        .update(bulk_download_enabled=enabled, updated_at=now)
    )
    if not changed:
        facility.bulk_download_enabled = enabled
        return False
    facility.bulk_download_enabled = enabled
    facility.updated_at = now
    record(
        Activity.Verb.SETTINGS_CHANGED,
        request=actor.request,
        actor=actor.person,
        actor_label=actor.label,
        facility=facility,
        target=facility.name,
        detail={"bulk_download_enabled": enabled},
    )
    return True


# --- contractors ------------------------------------------------------------------------


@transaction.atomic
def upsert_contractor(
    partner: Partner,
    external_id: str,
    *,
    first_name: str,
    last_name: str,
    email: str,
    address: Address,
) -> tuple[Contractor, Outcome]:
    """Create or update the partner's contractor ``external_id``.

    A new name is copied to the contractor's assignments (the facility table shows and sorts
    by it); certificates already issued keep the name they were issued with.
    """
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        **_address_values(address),
    }
    contractor = (
        Contractor.objects.select_for_update()
        .filter(partner=partner, external_id=external_id)
        .first()
    )
    if contractor is None:
        contractor = Contractor(partner=partner, external_id=external_id, **values)
        contractor.save()
        return contractor, "created"
    changed = _changed(contractor, values)
    if not changed:
        return contractor, "unchanged"
    contractor.updated_at = timezone.now()
    contractor.save(update_fields=[*changed, "search_name", "updated_at"])
    if "first_name" in changed or "last_name" in changed:
        Assignment.objects.filter(contractor=contractor).update(**contractor_names(contractor))
    return contractor, "updated"


# --- assignments ------------------------------------------------------------------------


def upsert_assignment(
    partner: Partner,
    external_id: str,
    *,
    facility: str,
    contractor: str,
    effective_date: date,
    end_date: date,
    description: str,
) -> AssignmentResult:
    """Create or update an assignment from external ids; raises ``ValidationError`` per field."""
    errors: dict[str, str] = {}
    facility_obj = Facility.objects.filter(partner=partner, external_id=facility).first()
    if facility_obj is None:
        errors["facility"] = f"No facility with external id {facility!r}."
    contractor_obj = Contractor.objects.filter(partner=partner, external_id=contractor).first()
    if contractor_obj is None:
        errors["contractor"] = f"No contractor with external id {contractor!r}."
    if end_date < effective_date:
        errors["end_date"] = "The end date must be on or after the effective date."
    if errors:
        raise ValidationError(errors)
    assert facility_obj is not None and contractor_obj is not None
    return certificate_services.save_assignment(
        partner=partner,
        external_id=external_id,
        facility=facility_obj,
        contractor=contractor_obj,
        effective_date=effective_date,
        end_date=end_date,
        description=description,
    )
