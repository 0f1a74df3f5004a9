"""Reading webhook endpoints, deliveries and events, always within the caller's partner(s):
another partner's id is a 404 (``Http404``), as if it did not exist.

The one scoping rule, for the API (one partner: its key's) and the console (the ids of the
partners a staff person works for): ``Owner``.
"""

from __future__ import annotations

from collections.abc import Collection

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

# Whose webhooks may be read: one partner, or the ids of a staff person's partners.
Owner = Partner | Collection[int]


def _owned_by(owner: Owner, prefix: str = "") -> Q:
    """Rows of ``owner``'s endpoints (``prefix`` leads from the row to its endpoint)."""
    if isinstance(owner, Partner):
        return Q(**{f"{prefix}partner": owner})
    return Q(**{f"{prefix}partner_id__in": list(owner)})


def endpoints_of(owner: Owner) -> QuerySet[WebhookEndpoint]:
    """The owner's endpoints, newest first."""
    return (
        WebhookEndpoint.objects.filter(_owned_by(owner))
        .select_related("partner")
        .order_by("-created_at", "-id")
    )


def endpoint_of(owner: Owner, endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoints_of(owner).filter(pk=endpoint_id).first()
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


def delivery_of(
    owner: Owner, delivery_id: int, *, endpoint: WebhookEndpoint | None = None
) -> WebhookDelivery:
    """One of the owner's deliveries (and, given ``endpoint``, one of that endpoint's)."""
    deliveries = WebhookDelivery.objects.filter(_owned_by(owner, "endpoint__"), pk=delivery_id)
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    delivery = deliveries.select_related("event", "endpoint").first()
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
