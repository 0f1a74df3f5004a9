"""Writing to the activity log."""

from __future__ import annotations

from typing import Any

from compliance_hub.activity.models import Activity


def record(
    verb: str,
    *,
    actor: Any = None,
    ip: str | None = None,
    actor_label: str = "",
    partner: Any = None,
    facility: Any = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> Activity:
    """Append one activity record: ``actor`` (a Person, or ``None`` with ``actor_label``)
    did ``verb`` from address ``ip`` (``core.net.client_ip(request)`` in the view)."""
    if not actor_label:
        actor_label = actor.email if actor is not None else "anonymous"
    if partner is None and facility is not None:
        partner = facility.partner_id
    return Activity.objects.create(
        verb=verb,
        actor=actor,
        actor_label=actor_label[:254],
        partner_id=partner if isinstance(partner, int) else getattr(partner, "pk", None),
        facility=facility,
        target=target[:254],
        detail=detail or {},
        ip=ip,
    )
