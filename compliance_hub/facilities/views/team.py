"""The team page of a facility: who has access, pending invitations, invite, remove, leave."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.core.flash import outcome
from compliance_hub.core.net import client_ip
from compliance_hub.facilities import invitations
from compliance_hub.facilities.forms import InviteForm
from compliance_hub.facilities.invitations import By
from compliance_hub.facilities.models import Invitation
from compliance_hub.facilities.queries import Portal, current_member, members_of, portal_for


@login_required
@require_GET
def team(request: HttpRequest, facility_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    return _render(request, portal, InviteForm(person=portal.person, facility=portal.facility))


def _render(
    request: HttpRequest, portal: Portal, form: InviteForm, status: int = 200
) -> HttpResponse:
    facility = portal.facility
    context = {
        "facility": facility,
        "portal": portal,
        "members": members_of(facility),
        "pending": [
            {
                "invitation": inv,
                "from": invitations.inviter_name(inv, [facility]),
                "can_revoke": portal.is_primary or inv.invited_by_id == portal.person.pk,
            }
            for inv in invitations.pending_for(facility)
        ],
        "form": form,
    }
    return render(request, "facilities/team.html", context, status=status)


@login_required
@require_POST
def invite(request: HttpRequest, facility_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    form = InviteForm(request.POST, person=portal.person, facility=portal.facility)
    invitation = form.send(By(portal.person, ip=client_ip(request)))
    if invitation is None:
        return _render(request, portal, form, status=form.status)
    messages.success(request, invitations.sent_message(invitation))
    # "#top": the form posted to "…#invite", which a redirect without a fragment would keep,
    # scrolling the confirmation (at the top of the page) out of view.
    return redirect(reverse("facilities:team", kwargs={"facility_id": facility_id}) + "#top")


@login_required
@require_POST
def remove(request: HttpRequest, facility_id: int, membership_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    target = current_member(portal.facility, membership_id)
    if target is None:
        raise Http404("No such member")
    leaving = target.person_id == portal.person.pk
    try:
        invitations.remove_member(target, By(portal.person, ip=client_ip(request)))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("facilities:team", facility_id=facility_id)
    if leaving:
        messages.success(request, f"You left {portal.facility.name}.")
        return redirect("/")
    messages.success(request, f"{target.person.email} no longer has access.")
    return redirect("facilities:team", facility_id=facility_id)


@login_required
@require_POST
def leave(request: HttpRequest, facility_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    return remove(request, facility_id, portal.membership.pk)


@login_required
@require_POST
def resend(request: HttpRequest, facility_id: int, invitation_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, facilities=facility_id)
    sent = f"A new invitation link is on its way to {invitation.email}."
    with outcome(request, sent, invitations.InvitationRateLimited):
        invitations.resend(invitation, By(portal.person, ip=client_ip(request)))
    return redirect("facilities:team", facility_id=facility_id)


@login_required
@require_POST
def revoke(request: HttpRequest, facility_id: int, invitation_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, facilities=facility_id)
    with outcome(request, f"The invitation for {invitation.email} was withdrawn."):
        invitations.revoke(
            invitation, By(portal.person, ip=client_ip(request)), facility=portal.facility
        )
    return redirect("facilities:team", facility_id=facility_id)
