"""Managing webhook endpoints (partner API and console) and the reconciliation cursor.

Bad input raises Django's ``ValidationError`` keyed by field (``url``, ``events``,
``description``, ``overlap_hours``, ``delivery``), so forms and problem+json name the field.
Each change is recorded in the partner's activity log (``by`` the signed-in person, or
``actor_label`` for an API key, from ``ip``), in the same transaction.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.core.text import has_bidi_controls
from compliance_hub.facilities.models import Partner
from compliance_hub.webhooks import transport
from compliance_hub.webhooks.events import EVENT_TYPES
from compliance_hub.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

MAX_ENDPOINTS = 20  # per partner
MAX_OVERLAP_HOURS = 168
DEFAULT_OVERLAP_HOURS = 24
SEQUENCE_BATCH = 5000
_DESCRIPTION_MAX = 200
_SEQUENCE_LOCK = 0x5EB_400C  # PostgreSQL advisory lock: one cursor assigner at a time


def generate_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _record(
    endpoint: WebhookEndpoint,
    action: str,
    *,
    by: Any,
    actor_label: str,
    ip: str | None,
    **detail: Any,
) -> None:
    """One activity record for the partner: ``detail["webhook"]`` names the change."""
    record(
        Activity.Verb.SETTINGS_CHANGED,
        actor=by,
        actor_label=actor_label or (by.email if by is not None else "operator"),
        ip=ip,
        partner=endpoint.partner_id,
        target=endpoint.url,
        detail={"webhook": action, "endpoint": endpoint.pk, **detail},
    )


def _clean_url(url: str) -> str:
    url = url.strip()
    if not url:
        raise ValidationError({"url": "Enter the URL that receives the events."})
    try:
        transport.check(url)
    except transport.TargetRefused as exc:
        raise ValidationError({"url": str(exc)}) from None
    return url


def _clean_events(events: Sequence[str]) -> list[str]:
    if isinstance(events, str) or not events:
        raise ValidationError({"events": "Choose at least one event type."})
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {
                "events": f"Unknown event type {str(unknown[0])[:60]!r}; choose from "
                + ", ".join(EVENT_TYPES)
                + "."
            }
        )
    return [e for e in EVENT_TYPES if e in set(events)]  # the canonical order, no repeats


def _clean_description(description: str) -> str:
    description = " ".join(description.split())
    if len(description) > _DESCRIPTION_MAX:
        raise ValidationError({"description": f"Use at most {_DESCRIPTION_MAX} characters."})
    if has_bidi_controls(description):
        raise ValidationError({"description": "Remove the text direction control characters."})
    return description


def _cleaned(
    *, url: str | None, events: Sequence[str] | None, description: str | None
) -> dict[str, Any]:
    """Model field -> clean value for each value given (None: not given); every field's
    errors at once."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checks: list[tuple[str, Callable[[Any], Any], Any]] = [
        ("url", _clean_url, url),
        ("event_types", _clean_events, events),
        ("description", _clean_description, description),
    ]
    for field, clean, value in checks:
        if value is None:
            continue
        try:
            values[field] = clean(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return values


def create_endpoint(
    partner: Partner,
    *,
    url: str,
    events: Sequence[str],
    description: str = "",
    by: Any = None,
    actor_label: str = "",
    ip: str | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Register a receiver; return it and its signing secret (shown to the partner once)."""
    cleaned = _cleaned(url=url, events=events, description=description)
    with transaction.atomic():
        # Lock the partner so that two requests cannot both pass the count.
        Partner.objects.select_for_update().filter(pk=partner.pk).first()
        if WebhookEndpoint.objects.filter(partner=partner).count() >= MAX_ENDPOINTS:
            raise ValidationError(
                {"url": f"You have {MAX_ENDPOINTS} endpoints; delete one to add another."}
            )
        secret = generate_secret()
        endpoint = WebhookEndpoint.objects.create(
            partner=partner,
            url=cleaned["url"],
            event_types=cleaned["event_types"],
            description=cleaned["description"],
            secret=secret,
        )
        _record(
            endpoint, "added", by=by, actor_label=actor_label, ip=ip, events=endpoint.event_types
        )
    return endpoint, secret


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str | None = None,
    events: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    by: Any = None,
    actor_label: str = "",
    ip: str | None = None,
) -> WebhookEndpoint:
    """Change what is given (None leaves a field as it is)."""
    changes = _cleaned(url=url, events=events, description=description)
    who = {"by": by, "actor_label": actor_label, "ip": ip}
    with transaction.atomic():
        changed = [f for f, value in changes.items() if getattr(endpoint, f) != value]
        for field in changed:
            setattr(endpoint, field, changes[field])
        if changed:
            endpoint.updated_at = timezone.now()
            endpoint.save(update_fields=[*changed, "updated_at"])
            _record(endpoint, "changed", **who, fields=sorted(changed))
        if enabled is True and not endpoint.enabled:
            enable_endpoint(endpoint, **who)
        elif enabled is False and endpoint.enabled:
            disable_endpoint(endpoint, "Disabled by you.", **who)
    return endpoint


def enable_endpoint(
    endpoint: WebhookEndpoint, *, by: Any = None, actor_label: str = "", ip: str | None = None
) -> WebhookEndpoint:
    """Deliver again; new events from now on (earlier failed ones can be redelivered)."""
    endpoint.enabled = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.failing_since = None
    endpoint.updated_at = timezone.now()
    with transaction.atomic():
        endpoint.save(
            update_fields=[
                "enabled",
                "disabled_at",
                "disabled_reason",
                "failing_since",
                "updated_at",
            ]
        )
        _record(endpoint, "enabled", by=by, actor_label=actor_label, ip=ip)
    return endpoint


def disable_endpoint(
    endpoint: WebhookEndpoint,
    reason: str,
    *,
    by: Any = None,
    actor_label: str = "",
    ip: str | None = None,
) -> WebhookEndpoint:
    """Stop delivering: waiting deliveries fail now (the feed still lists their events)."""
    now = timezone.now()
    with transaction.atomic():
        endpoint.enabled = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = reason[:300]
        endpoint.updated_at = now
        endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason", "updated_at"])
        WebhookDelivery.objects.filter(
            endpoint=endpoint, status=WebhookDelivery.Status.PENDING
        ).update(
            status=WebhookDelivery.Status.FAILED,
            last_error="Endpoint disabled",
            claimed_by="",
            claimed_until=None,
        )
        _record(endpoint, "disabled", by=by, actor_label=actor_label, ip=ip, reason=reason[:300])
    return endpoint


def delete_endpoint(
    endpoint: WebhookEndpoint, *, by: Any = None, actor_label: str = "", ip: str | None = None
) -> None:
    """Remove the endpoint with its deliveries and their log."""
    with transaction.atomic():
        _record(endpoint, "deleted", by=by, actor_label=actor_label, ip=ip)
        endpoint.delete()


def rotate_secret(
    endpoint: WebhookEndpoint,
    *,
    overlap_hours: int = DEFAULT_OVERLAP_HOURS,
    by: Any = None,
    actor_label: str = "",
    ip: str | None = None,
) -> str:
    """Make a new signing secret and return it (shown once). The current one keeps signing
    too, for ``overlap_hours``: messages carry both signatures until then."""
    if (
        isinstance(overlap_hours, bool)
        or not isinstance(overlap_hours, int)
        or not 0 <= overlap_hours <= MAX_OVERLAP_HOURS
    ):
        raise ValidationError(
            {"overlap_hours": f"Choose a whole number of hours from 0 to {MAX_OVERLAP_HOURS}."}
        )
    now = timezone.now()
    secret = generate_secret()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret if overlap_hours else ""
        locked.previous_secret_expires_at = now + timedelta(hours=overlap_hours)
        locked.secret = secret
        locked.updated_at = now
        locked.save(
            update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
        )
        _record(
            locked,
            "secret_rotated",
            by=by,
            actor_label=actor_label,
            ip=ip,
            overlap_hours=overlap_hours,
        )
    for field in ("secret", "previous_secret", "previous_secret_expires_at", "updated_at"):
        setattr(endpoint, field, getattr(locked, field))
    return secret


def redeliver(
    delivery: WebhookDelivery, *, by: Any = None, actor_label: str = "", ip: str | None = None
) -> WebhookDelivery:
    """Send this delivery again, now: one attempt, whatever its state."""
    endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, enabled=True).first()
    if endpoint is None:
        raise ValidationError({"delivery": "Enable the endpoint before redelivering."})
    now = timezone.now()
    with transaction.atomic():
        _record(
            endpoint,
            "redelivered",
            by=by,
            actor_label=actor_label,
            ip=ip,
            event=delivery.event.public_id,
            type=delivery.event.type,
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at=now,
            give_up_at=now,
            manual=True,
            claimed_by="",
            claimed_until=None,
        )
    delivery.refresh_from_db()
    return delivery


def assign_sequence(limit: int = SEQUENCE_BATCH) -> int:
    """Give committed events without a cursor the next cursor values, in id order; return
    how many. One assigner at a time, so cursors become visible in increasing order and a
    reader that has seen cursor N never misses an event numbered below N later.

    Each partner's events are numbered on their own (1, 2, 3…): a partner's cursors never
    skip the numbers of other partners' events, so they reveal nothing of their volume."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCE_LOCK])
        pending = list(
            WebhookEvent.objects.filter(sequence__isnull=True)
            .order_by("id")
            .values_list("id", "partner_id")[:limit]
        )
        if not pending:
            return 0
        # Each partner's highest cursor so far: one index lookup each (webhook_event_feed_idx).
        newest = WebhookEvent.objects.filter(
            partner_id=OuterRef("pk"), sequence__isnull=False
        ).order_by("-sequence")
        last = dict(
            Partner.objects.filter(pk__in={partner_id for _, partner_id in pending})
            .annotate(last=Subquery(newest.values("sequence")[:1]))
            .values_list("pk", "last")
        )
        events = []
        for pk, partner_id in pending:
            last[partner_id] = (last.get(partner_id) or 0) + 1
            events.append(WebhookEvent(pk=pk, sequence=last[partner_id]))
        WebhookEvent.objects.bulk_update(events, ["sequence"], batch_size=1000)
    return len(pending)
