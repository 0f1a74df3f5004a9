"""What a partner changes about its facilities and its insurance program (the details
certificates state from coi-v2 on) through the API or console.

Contractors and assignments are written by ``certificates.services``. Upserts are
idempotent: the same values again write nothing and report ``unchanged``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.certificates.services import Outcome, upsert_row
from compliance_hub.facilities.models import WC_FIELDS, CoverageLine, Facility, Partner


@dataclass(frozen=True)
class Actor:
    """Who makes a change, from where: a signed-in partner staff person, or an API key."""

    person: Any
    label: str
    ip: str | None = None

    @classmethod
    def key(cls, label: str, ip: str | None = None) -> Actor:
        """A call with an API key; ``label`` is ``ApiKey.actor_label`` (its name and prefix)."""
        return cls(None, label, ip)

    @classmethod
    def staff(cls, person: Any, ip: str | None = None, partner: Partner | None = None) -> Actor:
        """A staff person in the console, named with the partner they act for."""
        label = f"{person.email} ({partner.name})" if partner is not None else person.email
        return cls(person, label, ip)


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


# The coverage-line details a partner sets itself; the operator sets the rest (kind, insurer,
# policy number, limits, flags) in the admin.
TERM_FIELDS = ("policy_effective", "policy_expiry", "basis", "aggregate_applies_per", *WC_FIELDS)
TEXT_TERM_FIELDS = {"basis", "aggregate_applies_per", "wc_limits"}


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _change_program(
    locked: models.Model,
    new: Mapping[str, Any],
    *,
    shown: models.Model,
    actor: Actor,
    partner: Partner,
    target: str,
) -> bool:
    """Set ``new`` field values on ``locked`` (a row locked by the caller), check them by the
    model's rules (``ValidationError``: nothing saved), copy them onto ``shown`` (the caller's
    object), save what changed and record it. Returns whether anything changed."""
    changed = [field for field, value in new.items() if getattr(locked, field) != value]
    for field, value in new.items():
        setattr(locked, field, value)
    locked.full_clean(exclude=[f.name for f in locked._meta.fields if f.name not in new])
    for field, value in new.items():
        setattr(shown, field, value)
    if not changed:
        return False
    locked.save(update_fields=changed)
    record(
        Activity.Verb.PROGRAM_CHANGED,
        actor=actor.person,
        ip=actor.ip,
        actor_label=actor.label,
        partner=partner,
        target=target,
        detail={field: _json(new[field]) for field in changed},
    )
    return True


@transaction.atomic
def set_coverage_terms(line: CoverageLine, values: Mapping[str, Any], *, actor: Actor) -> bool:
    """Replace the partner-set details of ``line`` (``TERM_FIELDS``; one left out is cleared).

    Checked by the model (``ValidationError``, nothing saved). Certificates already issued
    keep what they state; those issued afterwards state the new details. Returns whether
    anything changed (then it is recorded).
    """
    locked = CoverageLine.objects.select_for_update().select_related("partner").get(pk=line.pk)
    new = {
        field: values.get(field, "" if field in TEXT_TERM_FIELDS else None) for field in TERM_FIELDS
    }
    return _change_program(
        locked, new, shown=line, actor=actor, partner=locked.partner, target=str(locked)
    )


@transaction.atomic
def set_representative(partner: Partner, name: str, title: str, *, actor: Actor) -> bool:
    """Name the authorized representative who signs the partner's certificates (coi-v2 on).

    Checked by the model (``ValidationError``). Returns whether it changed (then recorded).
    """
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    new = {"representative_name": name, "representative_title": title}
    return _change_program(
        locked, new, shown=partner, actor=actor, partner=locked, target="authorized representative"
    )
