"""What a partner changes about its facilities through the API or console.

Contractors and assignments are written by ``certificates.services``. Upserts are
idempotent: the same values again write nothing and report ``unchanged``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.certificates.services import Outcome, upsert_row
from compliance_hub.facilities.models import Facility, Partner


@dataclass(frozen=True)
class Actor:
    """Who makes a change, from where: a signed-in partner staff person, or an API key."""

    person: Any
    label: str
    ip: str | None = None

    @classmethod
    def key(cls, prefix: str, ip: str | None = None) -> Actor:
        return cls(None, f"api:{prefix}", ip)

    @classmethod
    def staff(cls, person: Any, ip: str | None = None) -> Actor:
        return cls(person, person.email, ip)


@transaction.atomic
def upsert_facility(
    partner: Partner,
    external_id: str,
    values: Mapping[str, Any],
    *,
    bulk_download_enabled: bool | None,
    actor: Actor,
) -> tuple[Facility, Outcome]:
    """Create or update the partner's facility ``external_id`` (model field ``values``).

    ``bulk_download_enabled=None`` keeps the current setting (off for a new facility).
    """
    facility, outcome, _ = upsert_row(Facility, partner, external_id, values)
    switched = bulk_download_enabled is not None and set_bulk_download(
        facility, bulk_download_enabled, actor=actor
    )
    return facility, "updated" if switched and outcome == "unchanged" else outcome


@transaction.atomic
def set_bulk_download(facility: Facility, enabled: bool, *, actor: Actor) -> bool:
    """Turn the facility's bulk download on or off; record it. Returns whether it changed."""
    now = timezone.now()
    changed = (
        Facility.objects.filter(pk=facility.pk)
        .exclude(bulk_download_enabled=enabled)
        .update(bulk_download_enabled=enabled, updated_at=now)
    )
    facility.bulk_download_enabled = enabled
    if not changed:
        return False
    facility.updated_at = now
    record(
        Activity.Verb.SETTINGS_CHANGED,
        actor=actor.person,
        ip=actor.ip,
        actor_label=actor.label,
        facility=facility,
        target=facility.name,
        detail={"bulk_download_enabled": enabled},
    )
    return True
