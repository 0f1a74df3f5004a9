"""The worker job ``webhooks``: deliver due deliveries, signed as Standard Webhooks says.

At least once: a delivery is claimed under a lease (``claimed_by``/``claimed_until``, taken
with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional UPDATE everywhere),
so two workers never send the same one at once, and one whose worker died is due again when
the lease runs out. Every attempt carries the same ``webhook-id``; receivers deduplicate by it.

A failed attempt (no answer, a timeout, any status but 2xx — a redirect is not followed) is
retried after an exponential backoff with full jitter until ``give_up_at`` (3 days after the
event); then the delivery fails. An endpoint failing without a single success for
``WEBHOOKS_DISABLE_AFTER_HOURS`` is disabled and the partner's staff are e-mailed.
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import socket
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from compliance_hub.facilities.models import PartnerStaff
from compliance_hub.mailer.services import enqueue
from compliance_hub.webhooks import services, transport
from compliance_hub.webhooks.models import (
    DeliveryAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

log = logging.getLogger(__name__)

# A claim outlives any one attempt (connect + read timeouts) with room to record it.
CLAIM_SECONDS = 60
ROUND_SECONDS = 20
USER_AGENT = "ComplianceHub-Webhooks/1"


def body(event: WebhookEvent) -> bytes:
    """The request body: the same bytes on every attempt of the event."""
    payload = {
        "id": event.public_id,
        "type": event.type,
        "timestamp": event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(endpoint: WebhookEndpoint, event: WebhookEvent, data: bytes, when: datetime):
    """Standard Webhooks headers; during a rotation's overlap, one signature per secret."""
    signatures = [Webhook(s).sign(event.public_id, when, data) for s in endpoint.secrets_at(when)]
    return {
        "webhook-id": event.public_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": " ".join(signatures),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def backoff(attempts: int) -> timedelta:
    """Wait after ``attempts`` failed tries: random up to a doubling ceiling (full jitter),
    at least one second."""
    ceiling = min(
        settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1),
        settings.WEBHOOKS_RETRY_MAX_SECONDS,
    )
    return timedelta(seconds=max(1.0, random.uniform(0, ceiling)))  # timing, not a secret


def _due(now: datetime) -> Q:
    return Q(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__enabled=True,
    ) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def claim(limit: int, worker: str, now: datetime) -> list[int]:
    """Lease up to ``limit`` due deliveries to ``worker``; return their ids."""
    with transaction.atomic():
        candidates = list(
            WebhookDelivery.objects.filter(_due(now))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not candidates:
            return []
        # Conditional: where row locks do not exist (SQLite), a second worker's UPDATE finds
        # the rows no longer due.
        WebhookDelivery.objects.filter(_due(now), pk__in=candidates).update(
            claimed_by=worker, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
        )
    return list(
        WebhookDelivery.objects.filter(pk__in=candidates, claimed_by=worker)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)
    )


def deliver_due(limit: int = 50, *, now: datetime | None = None) -> int:
    """Give new events their cursor, then attempt up to ``limit`` due deliveries, for at most
    ``ROUND_SECONDS`` (the worker's other jobs wait meanwhile); return how many attempts were
    made. Each delivery is claimed just before its attempt, so no lease runs out while it
    waits behind slow receivers."""
    services.assign_sequence()
    worker = f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"
    started = time.monotonic()
    done = 0
    while done < limit and time.monotonic() - started < ROUND_SECONDS:
        claimed = claim(1, worker, now or timezone.now())
        if not claimed:
            break
        attempt(claimed[0], worker)
        done += 1
    return done


def attempt(pk: int, worker: str) -> None:
    """One HTTP request for delivery ``pk`` (claimed by ``worker``), and its record."""
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=pk).first()
    if delivery is None:  # its endpoint was deleted meanwhile
        return
    endpoint, event = delivery.endpoint, delivery.event
    when = timezone.now()
    data = body(event)
    answer = transport.post(endpoint.url, data, signed_headers(endpoint, event, data, when))
    finished = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            attempted_at=when,
            status_code=answer.status,
            succeeded=answer.ok,
            latency_ms=answer.latency_ms,
            response_excerpt=answer.excerpt,
            error=answer.error[:300],
            manual=delivery.manual,
        )
        mine = WebhookDelivery.objects.filter(pk=pk, claimed_by=worker)
        common = {
            "attempts": F("attempts") + 1,
            "last_attempt_at": when,
            "last_status_code": answer.status,
            "last_error": answer.error[:300],
            "manual": False,
            "claimed_by": "",
            "claimed_until": None,
        }
        if answer.ok:
            mine.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=finished, **common)
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(
                failing_since=None
            )
            return
        retry_at = finished + backoff(delivery.attempts + 1)
        gave_up = delivery.manual or retry_at > delivery.give_up_at
        mine.update(
            status=WebhookDelivery.Status.FAILED if gave_up else WebhookDelivery.Status.PENDING,
            next_attempt_at=retry_at,
            **common,
        )
        log.info("webhook delivery %s to endpoint %s failed: %s", pk, endpoint.pk, answer.error)
        _note_failure(endpoint, finished)


def _note_failure(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Start (or continue) the endpoint's failing streak; past the limit, disable it."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    limit = now - timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
    locked = (
        WebhookEndpoint.objects.select_for_update()
        .filter(pk=endpoint.pk, enabled=True, failing_since__lte=limit)
        .first()
    )
    if locked is None:
        return
    hours = settings.WEBHOOKS_DISABLE_AFTER_HOURS
    services.disable_endpoint(
        locked,
        f"Every delivery failed for {hours} hours.",
        actor_label=settings.HUB_NAME,
    )
    _tell_partner(locked, hours)


def _tell_partner(endpoint: WebhookEndpoint, hours: int) -> None:
    """E-mail the partner's staff (in the same transaction as the disabling)."""
    partner = endpoint.partner
    addresses = sorted(
        {
            s.person.email
            for s in PartnerStaff.objects.filter(
                partner=partner, person__is_active=True
            ).select_related("person")
        }
    ) or ([partner.support_email] if partner.support_email else [])
    try:
        path = reverse("partner_api:console_webhook", args=[endpoint.pk])
    except NoReverseMatch:  # the console's endpoint page, when installed
        path = reverse("partner_api:console")
    context = {
        "partner": partner,
        "endpoint": endpoint,
        "days": round(hours / 24),
        "hours": hours,
        "link": f"{settings.SITE_URL}{path}",
    }
    for address in addresses:
        enqueue(
            to=address,
            subject=f"Webhook endpoint disabled: {endpoint.url}"[:200],
            template="webhooks/email/endpoint_disabled",
            context=context,
        )
