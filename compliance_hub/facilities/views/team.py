"""The team page of a facility: who has access, pending invitations, invite, remove, leave."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.accounts.models import Person
from compliance_hub.facilities import invitations
from compliance_hub.facilities.forms import InviteForm
from compliance_hub.facilities.models import Invitation, Membership
from compliance_hub.facilities.queries import membership_for


def _person(request: HttpRequest) -> Person:
    assert isinstance(request.user, Person)
    return request.user


@login_required
@require_GET
def team(request: HttpRequest, facility_id: int) -> HttpResponse:
    mine = membership_for(request.user, facility_id)
    form = InviteForm(person=_person(request), facility=mine.facility)
    return _render(request, mine, form)


def _render(
    request: HttpRequest, mine: Membership, form: InviteForm, status: int = 200
) -> HttpResponse:
    facility = mine.facility
    members = (
        Membership.objects.filter(facility=facility, revoked_at__isnull=True)
        .select_related("person", "invited_by", "invited_by_partner")
        .order_by("role", "person__email")  # "member" sorts after "primary"
    )
    pending = list(invitations.pending_for(facility))
    person = _person(request)
    context = {
        "facility": facility,
        "mine": mine,
        "is_primary": mine.role == Membership.Role.PRIMARY,
        "members": members,
        "pending": [
            {
                "invitation": inv,
                "from": invitations.inviter_name(inv, [facility]),
                "can_revoke": mine.role == Membership.Role.PRIMARY
                or inv.invited_by_id == person.pk,
            }
            for inv in pending
        ],
        "form": form,
    }
    return render(request, "facilities/team.html", context, status=status)


@login_required
@require_POST
def invite(request: HttpRequest, facility_id: int) -> HttpResponse:
    mine = membership_for(request.user, facility_id)
    person = _person(request)
    form = InviteForm(request.POST, person=person, facility=mine.facility)
    if not form.is_valid():
        return _render(request, mine, form, status=400)
    try:
        invitation = invitations.invite(
            email=form.cleaned_data["email"],
            facilities=list(form.cleaned_data["facilities"]),
            role=form.chosen_role,
            name=form.cleaned_data["name"],
            invited_by=person,
            request=request,
        )
    except ValidationError as exc:
        form.add_validation_error(exc)
        return _render(request, mine, form, status=400)
    except invitations.InvitationRateLimited as exc:
        form.add_error(None, str(exc))
        return _render(request, mine, form, status=429)
    messages.success(request, invitations.sent_message(invitation))
    return redirect("facilities:team", facility_id=mine.facility_id)


@login_required
@require_POST
def remove(request: HttpRequest, facility_id: int, membership_id: int) -> HttpResponse:
    mine = membership_for(request.user, facility_id)
    target = get_object_or_404(
        Membership.objects.select_related("person", "facility"),
        pk=membership_id,
        facility_id=mine.facility_id,
        revoked_at__isnull=True,
    )
    leaving = target.person_id == request.user.pk
    try:
        invitations.remove_member(target, by_person=_person(request), request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("facilities:team", facility_id=mine.facility_id)
    if leaving:
        messages.success(request, f"You left {mine.facility.name}.")
        return redirect("/")
    messages.success(request, f"{target.person.email} no longer has access.")
    return redirect("facilities:team", facility_id=mine.facility_id)


@login_required
@require_POST
def leave(request: HttpRequest, facility_id: int) -> HttpResponse:
    mine = membership_for(request.user, facility_id)
    return remove(request, facility_id, mine.pk)


@login_required
@require_POST
def resend(request: HttpRequest, facility_id: int, invitation_id: int) -> HttpResponse:
    mine = membership_for(request.user, facility_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, facilities=mine.facility_id)
    try:
        invitations.resend(invitation, by_person=_person(request), request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except invitations.InvitationRateLimited as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"A new invitation link is on its way to {invitation.email}.")
    return redirect("facilities:team", facility_id=mine.facility_id)


@login_required
@require_POST
def revoke(request: HttpRequest, facility_id: int, invitation_id: int) -> HttpResponse:
    mine = membership_for(request.user, facility_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, facilities=mine.facility_id)
    try:
        invitations.revoke(
            invitation, by_person=_person(request), facility=mine.facility, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
    return redirect("facilities:team", facility_id=mine.facility_id)
