"""Helpers shared by the API routers."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Status
from ninja.params import functions as param
from pydantic import Field, StringConstraints

from compliance_hub.core.net import client_ip
from compliance_hub.facilities.models import Partner
from compliance_hub.partner_api.api.fields import ExternalId
from compliance_hub.partner_api.api.problems import Problem
from compliance_hub.partner_api.models import ApiKey
from compliance_hub.partner_api.services import Actor

# Path and query parameter types.
PathId = Annotated[ExternalId, param.Path(description="Your external id.")]
ObjectId = Annotated[int, param.Path(ge=1, le=2**63 - 1)]
Cursor = Annotated[str, StringConstraints(max_length=200, pattern=r"^[A-Za-z0-9_\-]*$")]
Limit = Annotated[int, Field(ge=1, le=500, description="Items per page (1-500).")]
IdempotencyKey = Annotated[
    str | None,
    param.Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="Any unique string (a UUID): a retry with the same key and body "
        "replays the first response instead of acting twice.",
    ),
]


def key(request: HttpRequest) -> ApiKey:
    auth = request.auth  # type: ignore[attr-defined]
    assert isinstance(auth, ApiKey)
    return auth


def partner(request: HttpRequest) -> Partner:
    return key(request).partner


def actor(request: HttpRequest) -> Actor:
    return Actor.key(key(request).actor_label, client_ip(request))


def upserted(body: dict[str, Any], outcome: str) -> Status:
    """An upsert's answer: 201 when created, else 200; the object with its ``outcome``."""
    return Status(201 if outcome == "created" else 200, {**body, "outcome": outcome})


def answers(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """Response map: the success shapes, 401/422/429 always, plus the given error codes."""
    return {**ok, **dict.fromkeys(sorted({401, 422, 429, *errors}), Problem)}


BODY_ERRORS = (400, 409, 413)
