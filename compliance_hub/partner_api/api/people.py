"""``/facilities/{external_id}/members`` and ``…/invitations``: who has access, invite, remove."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status

from compliance_hub.core.net import client_ip
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Invitation
from compliance_hub.facilities.queries import current_member, members_of
from compliance_hub.partner_api import queries
from compliance_hub.partner_api.api import serialize
from compliance_hub.partner_api.api.common import (
    BODY_ERRORS,
    IdempotencyKey,
    ObjectId,
    PathId,
    answers,
    key,
    partner,
)
from compliance_hub.partner_api.api.schemas import (
    InvitationIn,
    InvitationList,
    InvitationOut,
    MemberList,
)

router = Router(tags=["facility access"])


def _by(request: HttpRequest) -> invitations.By:
    return invitations.By(
        partner=partner(request), ip=client_ip(request), label=key(request).actor_label
    )


@router.get(
    "/facilities/{external_id}/members",
    response=answers({200: MemberList}, 404),
    summary="People with access to a facility",
)
def list_members(request: HttpRequest, external_id: PathId) -> Any:
    facility = queries.facility(partner(request), external_id)
    return {"items": [serialize.member(m) for m in members_of(facility)]}


@router.delete(
    "/facilities/{external_id}/members/{member_id}",
    response=answers({204: None}, 404),
    summary="Remove a person's access to a facility",
)
def remove_member(request: HttpRequest, external_id: PathId, member_id: ObjectId) -> Any:
    """Takes effect on their next request; the membership is kept for the record."""
    membership = current_member(queries.facility(partner(request), external_id), member_id)
    if membership is None:
        raise Http404("This facility has no such member.")
    invitations.remove_member(membership, _by(request))
    return Status(204, None)


@router.get(
    "/facilities/{external_id}/invitations",
    response=answers({200: InvitationList}, 404),
    summary="Pending invitations to a facility",
)
def list_invitations(request: HttpRequest, external_id: PathId) -> Any:
    """Invitations neither accepted nor revoked (`status` `pending` or `expired`)."""
    facility = queries.facility(partner(request), external_id)
    return {"items": [serialize.invitation(i) for i in invitations.pending_for(facility)]}


@router.post(
    "/facilities/{external_id}/invitations",
    response=answers({201: InvitationOut}, 404, *BODY_ERRORS),
    summary="Invite a person to a facility",
)
def invite(
    request: HttpRequest,
    external_id: PathId,
    payload: InvitationIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """E-mails a link to accept or decline. Every new invitation is `pending` until its
    recipient accepts, whether or not the address already uses the hub: nobody gets access
    without saying yes, and the answer says nothing about the address. Someone who already
    has this access is a 422 (the members list shows them anyway). At most
    INVITATION_RATE_PER_INVITER a day (429)."""
    facility = queries.facility(partner(request), external_id)
    invitation = invitations.invite(
        email=payload.email,
        facilities=[facility],
        role=payload.role,
        name=payload.name,
        by=_by(request),
    )
    return Status(201, serialize.invitation(invitation))


@router.delete(
    "/facilities/{external_id}/invitations/{invitation_id}",
    response=answers({204: None}, 404),
    summary="Revoke a pending invitation",
)
def revoke_invitation(request: HttpRequest, external_id: PathId, invitation_id: ObjectId) -> Any:
    """Its link stops working at once."""
    facility = queries.facility(partner(request), external_id)
    invitation = Invitation.objects.filter(
        pk=invitation_id, facilities=facility, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()
    if invitation is None:
        raise Http404("This facility has no such pending invitation.")
    invitations.revoke(invitation, _by(request), facility=facility)
    return Status(204, None)
