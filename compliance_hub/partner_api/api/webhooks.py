"""``/webhook-endpoints`` and ``/events``: register receivers, rotate secrets, reconcile.

The rules (allowed URLs, event types, overlaps) are ``compliance_hub.webhooks.services``';
another partner's endpoint is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field, StrictBool, StrictInt, StringConstraints

from compliance_hub.core.net import client_ip
from compliance_hub.partner_api import idempotency
from compliance_hub.partner_api.api.common import (
    BODY_ERRORS,
    IdempotencyKey,
    ObjectId,
    answers,
    key,
    partner,
)
from compliance_hub.partner_api.api.schemas import Input, Schema
from compliance_hub.webhooks import queries, services
from compliance_hub.webhooks.events import EVENT_TYPES
from compliance_hub.webhooks.models import WebhookEndpoint, WebhookEvent

router = Router(tags=["webhooks"])

Url = Annotated[str, StringConstraints(max_length=2000)]
EventList = Annotated[
    list[Annotated[str, StringConstraints(max_length=60)]],
    Field(max_length=len(EVENT_TYPES) * 2, description="Event types: " + ", ".join(EVENT_TYPES)),
]
Text200 = Annotated[str, StringConstraints(max_length=200)]


class EndpointIn(Input):
    url: Url = Field(description="https:// address on the public internet that receives events.")
    events: EventList
    description: Text200 = ""


class EndpointPatch(Input):
    url: Url | None = None
    events: EventList | None = None
    description: Text200 | None = None
    enabled: StrictBool | None = Field(None, description="false pauses; true re-enables.")


class RotateIn(Input):
    overlap_hours: StrictInt = Field(
        services.DEFAULT_OVERLAP_HOURS,
        ge=0,
        le=services.MAX_OVERLAP_HOURS,
        description="How long the old secret keeps signing too (both signatures are sent).",
    )


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Signing secret (whsec_…). Shown once: store it now.")


class EndpointList(Schema):
    items: list[EndpointOut]


class SecretOut(Schema):
    secret: str
    previous_secret_expires_at: datetime | None


class EventOut(Schema):
    id: str = Field(description="The webhook-id its deliveries carry.")
    type: str
    timestamp: datetime
    cursor: int
    data: dict[str, Any]


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: int = Field(description="Pass as `after` for the next page.")
    has_more: bool


class EventQuery(Input):
    after: int = Field(0, ge=0, le=2**63 - 1, description="The last cursor you processed.")
    limit: int = Field(100, ge=1, le=200)


def _endpoint(e: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": e.pk,
        "url": e.url,
        "description": e.description,
        "events": list(e.event_types),
        "enabled": e.enabled,
        "disabled_at": e.disabled_at,
        "disabled_reason": e.disabled_reason,
        "failing_since": e.failing_since,
        "previous_secret_expires_at": e.previous_secret_expires_at if e.previous_secret else None,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def _event(e: WebhookEvent) -> dict[str, Any]:
    return {
        "id": e.public_id,
        "type": e.type,
        "timestamp": e.created_at,
        "cursor": e.sequence,
        "data": e.data,
    }


def _who(request: HttpRequest) -> dict[str, Any]:
    return {"actor_label": key(request).actor_label, "ip": client_ip(request)}


@router.post(
    "/webhook-endpoints",
    response=answers({201: EndpointCreated}, *BODY_ERRORS),
    summary="Register a webhook endpoint",
)
def create_webhook_endpoint(
    request: HttpRequest, payload: EndpointIn, idempotency_key: IdempotencyKey = None
) -> Any:
    """The answer's `secret` is shown only here: keep it to verify signatures. A retry with the
    same `Idempotency-Key` gets a 409 (`secret-already-shown`), never the secret again."""
    idempotency.carries_secret(request)  # the secret is never kept for a replay
    endpoint, secret = services.create_endpoint(
        partner(request),
        url=payload.url,
        events=payload.events,
        description=payload.description,
        **_who(request),
    )
    return Status(201, {**_endpoint(endpoint), "secret": secret})


@router.get(
    "/webhook-endpoints",
    response=answers({200: EndpointList}),
    summary="List webhook endpoints",
)
def list_webhook_endpoints(request: HttpRequest) -> Any:
    return {"items": [_endpoint(e) for e in queries.endpoints_of(partner(request))]}


@router.get(
    "/webhook-endpoints/{endpoint_id}",
    response=answers({200: EndpointOut}, 404),
    summary="Get a webhook endpoint",
)
def get_webhook_endpoint(request: HttpRequest, endpoint_id: ObjectId) -> Any:
    return _endpoint(queries.endpoint_of(partner(request), endpoint_id))


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response=answers({200: EndpointOut}, 404, *BODY_ERRORS),
    summary="Change a webhook endpoint",
)
def update_webhook_endpoint(
    request: HttpRequest, endpoint_id: ObjectId, payload: EndpointPatch
) -> Any:
    """Send only what changes. `enabled: true` re-enables an endpoint that was disabled."""
    endpoint = queries.endpoint_of(partner(request), endpoint_id)
    services.update_endpoint(
        endpoint,
        url=payload.url,
        events=payload.events,
        description=payload.description,
        enabled=payload.enabled,
        **_who(request),
    )
    return _endpoint(endpoint)


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    response=answers({204: None}, 404),
    summary="Delete a webhook endpoint",
)
def delete_webhook_endpoint(request: HttpRequest, endpoint_id: ObjectId) -> Any:
    endpoint = queries.endpoint_of(partner(request), endpoint_id)
    services.delete_endpoint(endpoint, **_who(request))
    return Status(204, None)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response=answers({200: SecretOut}, 404, *BODY_ERRORS),
    summary="Rotate an endpoint's signing secret",
)
def rotate_webhook_secret(
    request: HttpRequest,
    endpoint_id: ObjectId,
    payload: RotateIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Returns the new secret once. Until `previous_secret_expires_at` every message is signed
    with both secrets, so a receiver can switch at any moment within the overlap. A retry with
    the same `Idempotency-Key` gets a 409 (`secret-already-shown`), never the secret again."""
    endpoint = queries.endpoint_of(partner(request), endpoint_id)
    idempotency.carries_secret(request)  # the secret is never kept for a replay
    secret = services.rotate_secret(endpoint, overlap_hours=payload.overlap_hours, **_who(request))
    return {
        "secret": secret,
        "previous_secret_expires_at": endpoint.previous_secret_expires_at
        if endpoint.previous_secret
        else None,
    }


@router.get("/events", response=answers({200: EventPage}), summary="List events since a cursor")
def list_events(request: HttpRequest, filters: Query[EventQuery]) -> Any:
    """Every event of yours, oldest first, whether or not an endpoint received it: pass the
    `next_cursor` of the previous page (or the `cursor` of the last event you processed) as
    `after`. No event is ever inserted below a cursor already listed."""
    services.assign_sequence()
    events = queries.events_after(partner(request), filters.after, filters.limit + 1)
    more = len(events) > filters.limit
    events = events[: filters.limit]
    last = events[-1].sequence if events else filters.after
    return {
        "items": [_event(e) for e in events],
        "next_cursor": last,
        "has_more": more,
    }
