"""``/facilities``: upsert, get, list, and the facility's settings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from compliance_hub.facilities.models import Facility
from compliance_hub.partner_api import queries, services
from compliance_hub.partner_api.api import serialize
from compliance_hub.partner_api.api.common import (
    BODY_ERRORS,
    Cursor,
    Limit,
    PathId,
    actor,
    answers,
    partner,
    upserted,
)
from compliance_hub.partner_api.api.fields import IsoDateTime
from compliance_hub.partner_api.api.schemas import (
    AddressIn,
    FacilityIn,
    FacilityOut,
    FacilityPage,
    FacilitySettingsIn,
    FacilitySettingsOut,
    FacilityUpsertOut,
)

router = Router(tags=["facilities"])


def address(a: AddressIn) -> dict[str, str]:
    """The address as model field values (the inverse of ``serialize.address``)."""
    return {field: getattr(a, api) for api, field in serialize.ADDRESS_FIELDS.items()}


@router.put(
    "/facilities/{external_id}",
    response=answers({200: FacilityUpsertOut, 201: FacilityUpsertOut}, *BODY_ERRORS),
    summary="Create or update a facility",
)
def put_facility(request: HttpRequest, external_id: PathId, payload: FacilityIn) -> Any:
    """201 when created; 200 with `outcome` `updated` or `unchanged` otherwise."""
    facility, outcome = services.upsert_facility(
        partner(request),
        external_id,
        {"name": payload.name, **address(payload.address)},
        bulk_download_enabled=payload.bulk_download_enabled,
        actor=actor(request),
    )
    return upserted(serialize.facility(facility), outcome)


@router.get(
    "/facilities/{external_id}",
    response=answers({200: FacilityOut}, 404),
    summary="Get a facility",
)
def get_facility(request: HttpRequest, external_id: PathId) -> Any:
    return serialize.facility(queries.facility(partner(request), external_id))


@router.get("/facilities", response=answers({200: FacilityPage}), summary="List facilities")
def list_facilities(
    request: HttpRequest,
    updated_since: IsoDateTime | None = None,
    cursor: Cursor | None = None,
    limit: Limit = 100,
) -> Any:
    """Oldest change first; follow `next_cursor` until it is null."""
    qs = Facility.objects.filter(partner=partner(request))
    page = queries.paginate(qs, cursor=cursor, limit=limit, updated_since=updated_since)
    return page.body(serialize.facility)


@router.get(
    "/facilities/{external_id}/settings",
    response=answers({200: FacilitySettingsOut}, 404),
    summary="Get a facility's settings",
)
def get_settings(request: HttpRequest, external_id: PathId) -> Any:
    facility = queries.facility(partner(request), external_id)
    return {"bulk_download_enabled": facility.bulk_download_enabled}


@router.put(
    "/facilities/{external_id}/settings",
    response=answers({200: FacilitySettingsOut}, 404, *BODY_ERRORS),
    summary="Change a facility's settings",
)
def put_settings(request: HttpRequest, external_id: PathId, payload: FacilitySettingsIn) -> Any:
    """`bulk_download_enabled` lets the facility's people download certificates as a ZIP."""
    facility = queries.facility(partner(request), external_id)
    services.set_bulk_download(facility, payload.bulk_download_enabled, actor=actor(request))
    return {"bulk_download_enabled": facility.bulk_download_enabled}
