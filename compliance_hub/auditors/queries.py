"""Reading auditor grants: the active ones of a person, of a facility, of a partner."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from compliance_hub.auditors.models import AuditorGrant


def active() -> QuerySet[AuditorGrant]:
    """Grants neither revoked nor expired, now (checked on every request that uses one)."""
    return AuditorGrant.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def active_of(person: Any) -> QuerySet[AuditorGrant]:
    """The person's active grants, with facility, partner and granter."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return AuditorGrant.objects.none()
    return (
        active()
        .filter(person_id=person.pk)
        .select_related("facility", "facility__partner", "granted_by")
        .order_by("facility__name", "facility_id", "-created_at")
    )


def grants_of(facility: Any) -> QuerySet[AuditorGrant]:
    """Every grant of the facility, newest first (active, expired and revoked)."""
    return (
        AuditorGrant.objects.filter(facility=facility)
        .select_related("granted_by", "revoked_by")
        .prefetch_related("reconciliations")
        .order_by("-created_at", "-id")
    )


def active_at_partners(partner_ids: list[int]) -> QuerySet[AuditorGrant]:
    """The active grants at these partners' facilities (the partner console lists them)."""
    return (
        active()
        .filter(facility__partner_id__in=partner_ids)
        .select_related("facility", "granted_by")
        .order_by("facility__name", "expires_at", "id")
    )
