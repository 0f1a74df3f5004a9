"""``/assignments``: upsert, bulk upsert, cancel, get, list, certificate history."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router

from compliance_hub.certificates import issuance, services
from compliance_hub.certificates.models import Assignment
from compliance_hub.partner_api import queries
from compliance_hub.partner_api.api import serialize
from compliance_hub.partner_api.api.common import (
    BODY_ERRORS,
    Cursor,
    IdempotencyKey,
    Limit,
    PathId,
    answers,
    partner,
    upserted,
)
from compliance_hub.partner_api.api.fields import ExternalId, IsoDate, IsoDateTime
from compliance_hub.partner_api.api.schemas import (
    AssignmentCancelOut,
    AssignmentIn,
    AssignmentOut,
    AssignmentPage,
    AssignmentUpsertOut,
    BulkIn,
    BulkOut,
    CertificateList,
)

router = Router(tags=["assignments"])


# Before the {external_id} routes, so that "bulk" is not taken for an external id.
@router.post(
    "/assignments/bulk",
    response=answers({200: BulkOut}, *BODY_ERRORS),
    summary="Create or update up to 1,000 assignments at once",
)
def bulk_upsert(
    request: HttpRequest, payload: BulkIn, idempotency_key: IdempotencyKey = None
) -> Any:
    """All or nothing, in one transaction: if any item is invalid, nothing is written and the
    errors name the item (`items[3].end_date`). Each item is reported `created`, `updated` or
    `unchanged`, with the number of its current certificate. Certificate PDFs are rendered
    in the background (or on first download)."""
    items = [services.AssignmentItem(**i.model_dump()) for i in payload.items]
    results = services.upsert_assignments(partner(request), items)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for r in results:
        counts[r.outcome] += 1
    return {
        **counts,
        "items": [
            {
                "index": r.index,
                "external_id": r.assignment.external_id,
                "outcome": r.outcome,
                "certificate": r.certificate.number if r.certificate is not None else None,
            }
            for r in results
        ],
    }


@router.put(
    "/assignments/{external_id}",
    response=answers({200: AssignmentUpsertOut, 201: AssignmentUpsertOut}, *BODY_ERRORS),
    summary="Create or update an assignment",
)
def put_assignment(request: HttpRequest, external_id: PathId, payload: AssignmentIn) -> Any:
    """Issues a certificate when created, and a new one (superseding the current one) when
    the facility, contractor, dates or description change. The same values again are
    `unchanged`: nothing is written and no certificate is issued. A cancelled assignment sent
    again is re-activated with a new certificate. While your insurance program has no insurer
    or no coverage line in force, no certificate can be issued: 422 `program-incomplete`."""
    item = services.AssignmentItem(external_id=external_id, **payload.model_dump())
    result = services.upsert_assignment(partner(request), item)
    found = queries.assignment(partner(request), external_id)
    return upserted(serialize.assignment(found), result.outcome)


@router.post(
    "/assignments/{external_id}/cancel",
    response=answers({200: AssignmentCancelOut}, 404, 409),
    summary="Cancel an assignment",
)
def cancel_assignment(
    request: HttpRequest, external_id: PathId, idempotency_key: IdempotencyKey = None
) -> Any:
    """Voids its current certificate (kept, still downloadable by number). Cancelling again
    is `unchanged`. Sending the assignment again with PUT re-activates it."""
    found = queries.assignment(partner(request), external_id)
    _, changed = services.cancel_assignment(found)
    found = queries.assignment(partner(request), external_id)
    return {**serialize.assignment(found), "outcome": "cancelled" if changed else "unchanged"}


@router.get(
    "/assignments/{external_id}",
    response=answers({200: AssignmentOut}, 404),
    summary="Get an assignment with its current certificate",
)
def get_assignment(request: HttpRequest, external_id: PathId) -> Any:
    return serialize.assignment(queries.assignment(partner(request), external_id))


@router.get(
    "/assignments/{external_id}/certificates",
    response=answers({200: CertificateList}, 404),
    summary="All certificates ever issued for an assignment",
)
def assignment_certificates(request: HttpRequest, external_id: PathId) -> Any:
    """Newest first: the current (or void) one, then those it superseded."""
    found = queries.assignment(partner(request), external_id)
    return {"items": serialize.history(list(issuance.history(found)))}


@router.get("/assignments", response=answers({200: AssignmentPage}), summary="List assignments")
def list_assignments(
    request: HttpRequest,
    facility: ExternalId | None = None,
    status: Literal["active", "cancelled"] | None = None,
    effective_from: IsoDate | None = None,
    effective_to: IsoDate | None = None,
    end_from: IsoDate | None = None,
    end_to: IsoDate | None = None,
    active_from: IsoDate | None = None,
    active_to: IsoDate | None = None,
    updated_since: IsoDateTime | None = None,
    cursor: Cursor | None = None,
    limit: Limit = 100,
) -> Any:
    """Oldest change first; follow `next_cursor` until it is null. `effective_*` and `end_*`
    bound those dates (inclusive); `active_from`/`active_to` keep assignments that overlap the
    period; `updated_since` keeps those changed at or after that time (for syncing)."""
    qs = Assignment.objects.filter(partner=partner(request)).select_related(
        "facility", "contractor", "current_certificate"
    )
    qs = queries.assignment_filters(
        qs,
        partner=partner(request),
        facility_id=facility,
        status=status,
        effective_from=effective_from,
        effective_to=effective_to,
        end_from=end_from,
        end_to=end_to,
        active_from=active_from,
        active_to=active_to,
        updated_since=updated_since,
    )
    return queries.paginate(qs, cursor=cursor, limit=limit).body(serialize.assignment)
