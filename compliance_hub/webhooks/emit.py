"""Writing events to the outbox, inside the caller's transaction (a rollback leaves none).

Called by the apps whose changes partners hear about (certificates, facilities, auditors).
This module imports none of them at module level, so they may import it: the API
representation of an object comes from ``partner_api.api.serialize``, imported when an
event is written. Each call costs a constant number of statements, however many events:
one read of the partner's endpoints, one insert of events, one of deliveries (none when no
endpoint wants them).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from pydantic_core import to_jsonable_python

from compliance_hub.webhooks import events as types
from compliance_hub.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

if TYPE_CHECKING:
    from compliance_hub.auditors.models import AuditorGrant
    from compliance_hub.certificates.models import Certificate
    from compliance_hub.facilities.models import Facility, Invitation, Membership

BATCH = 1000


def new_event_id() -> str:
    """A ``webhook-id``: unique, opaque, URL-safe."""
    return f"evt_{secrets.token_hex(12)}"


def emit(partner_id: int, items: Sequence[tuple[str, dict[str, Any]]]) -> list[WebhookEvent]:
    """Write one event per ``(type, data)`` for the partner, and a delivery for each enabled
    endpoint of the partner that wants its type."""
    if not items:
        return []
    now = timezone.now()
    wanted = [
        (endpoint_id, set(event_types))
        for endpoint_id, event_types in WebhookEndpoint.objects.filter(
            partner_id=partner_id, enabled=True
        ).values_list("id", "event_types")
    ]
    written = WebhookEvent.objects.bulk_create(
        [
            WebhookEvent(
                public_id=new_event_id(),
                partner_id=partner_id,
                type=kind,
                created_at=now,
                data=to_jsonable_python(data),
            )
            for kind, data in items
        ],
        batch_size=BATCH,
    )
    give_up_at = now + timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)
    deliveries = [
        WebhookDelivery(
            event=event,
            endpoint_id=endpoint_id,
            created_at=now,
            next_attempt_at=now,
            give_up_at=give_up_at,
        )
        for event in written
        for endpoint_id, event_types in wanted
        if event.type in event_types
    ]
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries, batch_size=BATCH)
    return written


def certificate_changes(
    partner_id: int,
    *,
    issued: Sequence[Certificate] = (),
    superseded_ids: Iterable[int] = (),
    voided_ids: Iterable[int] = (),
) -> None:
    """``certificate.superseded``, ``.voided`` and ``.issued`` events for the certificates
    just changed (``issued`` as written, in memory; the others by id, read again here once)."""
    from compliance_hub.certificates.models import Certificate
    from compliance_hub.partner_api.api import serialize

    changed_ids = [*superseded_ids, *voided_ids]
    changed = {c.pk: c for c in Certificate.objects.filter(pk__in=changed_ids).select_related(None)}
    # The numbers each certificate names as the one it supersedes, in one more query.
    earlier_ids = {c.supersedes_id for c in [*issued, *changed.values()] if c.supersedes_id}
    numbers = dict(Certificate.objects.filter(pk__in=earlier_ids).values_list("pk", "number"))
    successor = {c.supersedes_id: c.number for c in issued if c.supersedes_id}
    items: list[tuple[str, dict[str, Any]]] = []
    for pk in changed_ids:
        certificate = changed.get(pk)
        if certificate is None:
            continue
        kind = (
            types.CERTIFICATE_VOIDED
            if certificate.status == Certificate.Status.VOID
            else types.CERTIFICATE_SUPERSEDED
        )
        data = serialize.certificate(
            certificate,
            supersedes=numbers.get(certificate.supersedes_id or 0),
            superseded_by=successor.get(pk),
        )
        items.append((kind, data))
    for certificate in issued:
        data = serialize.certificate(
            certificate, supersedes=numbers.get(certificate.supersedes_id or 0), superseded_by=None
        )
        items.append((types.CERTIFICATE_ISSUED, data))
    emit(partner_id, items)


def invitation_accepted(invitation: Invitation, facilities: Sequence[Facility]) -> None:
    """One ``invitation.accepted`` per partner owning any of the facilities it opened."""
    from compliance_hub.partner_api.api import serialize

    by_partner: dict[int, list[str]] = {}
    for facility in facilities:
        by_partner.setdefault(facility.partner_id, []).append(facility.external_id)
    for partner_id, external_ids in by_partner.items():
        data = {**serialize.invitation(invitation), "facilities": sorted(external_ids)}
        emit(partner_id, [(types.INVITATION_ACCEPTED, data)])


def membership_removed(membership: Membership) -> None:
    from compliance_hub.partner_api.api import serialize

    facility = membership.facility
    data = {
        **serialize.member(membership),
        "facility": facility.external_id,
        "removed_at": membership.revoked_at,
    }
    emit(facility.partner_id, [(types.MEMBERSHIP_REMOVED, data)])


def auditor_access_granted(grant: AuditorGrant) -> None:
    facility = grant.facility
    data = {
        "id": grant.pk,
        "facility": facility.external_id,
        "email": grant.email,
        "firm": grant.firm,
        "period_start": grant.period_start,
        "period_end": grant.period_end,
        "expires_at": grant.expires_at,
        "created_at": grant.created_at,
    }
    emit(facility.partner_id, [(types.AUDITOR_ACCESS_GRANTED, data)])
