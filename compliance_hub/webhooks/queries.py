"""Reading webhook endpoints, deliveries and events, always within one partner: another
partner's id is a 404 (``Http404``), as if it did not exist."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from compliance_hub.facilities.models import Partner
from compliance_hub.webhooks.models import (
    DeliveryAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

MAX_PAGE = 200


def endpoints_of(partner: Partner) -> QuerySet[WebhookEndpoint]:
    """The partner's endpoints, newest first."""
    return WebhookEndpoint.objects.filter(partner=partner).order_by("-created_at", "-id")


def endpoint_of(partner: Partner, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(partner=partner, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")


def delivery_page(
    endpoint: WebhookEndpoint, *, before: int | None = None, limit: int = 50
) -> tuple[list[WebhookDelivery], int | None]:
    """One page of the log (keyset on id, newest first) and the ``before`` of the next page
    (None on the last one)."""
    limit = max(1, min(limit, MAX_PAGE))
    rows = deliveries_of(endpoint)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (page[-1].pk if more else None)


def delivery_of(partner: Partner, delivery_id: int) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.filter(endpoint__partner=partner, pk=delivery_id)
        .select_related("event", "endpoint")
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery


def attempts_of(delivery: WebhookDelivery) -> QuerySet[DeliveryAttempt]:
    return DeliveryAttempt.objects.filter(delivery=delivery).order_by("-id")


def delivery_counts(endpoint: WebhookEndpoint) -> dict[str, int]:
    """How many deliveries of the endpoint are waiting, delivered and failed."""
    statuses = WebhookDelivery.Status
    counts = WebhookDelivery.objects.filter(endpoint=endpoint).aggregate(
        **{s.value: Count("id", filter=Q(status=s.value)) for s in statuses}
    )
    return {s.value: counts[s.value] or 0 for s in statuses}


def events_after(partner: Partner, after: int = 0, limit: int = 100) -> list[WebhookEvent]:
    """The partner's events whose cursor (``sequence``) is above ``after``, oldest first."""
    limit = max(1, min(limit, 1000))
    return list(
        WebhookEvent.objects.filter(partner=partner, sequence__gt=after).order_by("sequence")[
            :limit
        ]
    )
