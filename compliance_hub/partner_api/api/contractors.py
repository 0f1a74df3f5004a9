"""``/contractors``: upsert, get, list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from compliance_hub.certificates import services
from compliance_hub.certificates.models import Contractor
from compliance_hub.partner_api import queries
from compliance_hub.partner_api.api import serialize
from compliance_hub.partner_api.api.common import (
    BODY_ERRORS,
    Cursor,
    Limit,
    PathId,
    answers,
    partner,
    upserted,
)
from compliance_hub.partner_api.api.facilities import address
from compliance_hub.partner_api.api.fields import IsoDateTime
from compliance_hub.partner_api.api.schemas import (
    ContractorIn,
    ContractorOut,
    ContractorPage,
    ContractorUpsertOut,
)

router = Router(tags=["contractors"])


@router.put(
    "/contractors/{external_id}",
    response=answers({200: ContractorUpsertOut, 201: ContractorUpsertOut}, *BODY_ERRORS),
    summary="Create or update a contractor",
)
def put_contractor(request: HttpRequest, external_id: PathId, payload: ContractorIn) -> Any:
    """A new name shows in facility tables at once; issued certificates keep the old one."""
    contractor, outcome = services.upsert_contractor(
        partner(request),
        external_id,
        {
            "first_name": payload.first_name,
            "last_name": payload.last_name,
            "email": payload.email,
            **address(payload.address),
        },
    )
    return upserted(serialize.contractor(contractor), outcome)


@router.get(
    "/contractors/{external_id}",
    response=answers({200: ContractorOut}, 404),
    summary="Get a contractor",
)
def get_contractor(request: HttpRequest, external_id: PathId) -> Any:
    return serialize.contractor(queries.contractor(partner(request), external_id))


@router.get("/contractors", response=answers({200: ContractorPage}), summary="List contractors")
def list_contractors(
    request: HttpRequest,
    updated_since: IsoDateTime | None = None,
    cursor: Cursor | None = None,
    limit: Limit = 100,
) -> Any:
    """Oldest change first; follow `next_cursor` until it is null."""
    qs = Contractor.objects.filter(partner=partner(request))
    page = queries.paginate(qs, cursor=cursor, limit=limit, updated_since=updated_since)
    return page.body(serialize.contractor)
