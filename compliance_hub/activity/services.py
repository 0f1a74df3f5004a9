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
    ip: str | None = None,
    actor_label: str = "",
    partner: Any = None,
    facility: Any = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> Activity:
    """Append one activity record: ``actor`` (a Person, or ``None`` with ``actor_label``)
    did ``verb`` from address ``ip``.

    ``request`` is being phased out (services take plain values): callers pass ``actor``
    and ``ip`` (``core.net.client_ip(request)`` in the view)."""
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
        ip=ip if ip is not None else (client_ip(request) if request is not None else None),
    )
