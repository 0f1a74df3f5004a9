"""Writing to the activity log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from compliance_hub.activity.models import Activity
from compliance_hub.core.net import client_ip


def record(
    verb: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    actor_label: str = "",
    partner: Any = None,
    facility: Any = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> Activity:
    """Append one activity record. ``actor`` defaults to the request's signed-in person."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
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
        ip=client_ip(request) if request is not None else None,
    )
