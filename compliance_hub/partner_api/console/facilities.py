"""Console pages for facilities: list, detail, bulk-download switch, invite, revoke, remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.activity.models import Activity
from compliance_hub.auditors import queries as auditor_queries
from compliance_hub.certificates import issuance
from compliance_hub.core.flash import outcome
from compliance_hub.core.net import client_ip
from compliance_hub.facilities import invitations
from compliance_hub.facilities.forms import InviteForm
from compliance_hub.facilities.invitations import By
from compliance_hub.facilities.models import Facility, Invitation
from compliance_hub.facilities.queries import current_member, members_of, person_of
from compliance_hub.partner_api import queries, services
from compliance_hub.partner_api.console.access import facility_for, partner_ids, staff_required
from compliance_hub.partner_api.console.forms import BulkDownloadForm

RECENT_ACTIVITY = 30


@require_GET
@staff_required
def facility_list(request: HttpRequest) -> HttpResponse:
    partners = request.partners  # type: ignore[attr-defined]
    context = {
        "facilities": queries.facilities_with_counts(partner_ids(request)),
        "partners": partners,
        "incomplete": [(p, gaps) for p in partners if (gaps := issuance.program_gaps(p))],
        "auditor_grants": auditor_queries.active_at_partners(partner_ids(request))[:200],
    }
    return render(request, "partner_api/console/facilities.html", context)


def _render_detail(
    request: HttpRequest, facility: Facility, form: InviteForm, status: int = 200
) -> HttpResponse:
    activity = Activity.objects.filter(facility=facility).order_by("-at", "-id")[:RECENT_ACTIVITY]
    return render(
        request,
        "partner_api/console/facility.html",
        {
            "facility": facility,
            "members": members_of(facility),
            "pending": list(invitations.pending_for(facility)),
            "activity": activity,
            "form": form,
            "auditor_grants": auditor_queries.active_at_partners([facility.partner_id]).filter(
                facility=facility
            ),
        },
        status=status,
    )


@require_GET
@staff_required
def facility_detail(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = facility_for(request, facility_id)
    return _render_detail(request, facility, InviteForm(facility=facility))


@require_POST
@staff_required
def bulk_download(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = facility_for(request, facility_id)
    form = BulkDownloadForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose on or off.")
    else:
        enabled = form.cleaned_data["enabled"]
        actor = services.Actor.staff(request.user, client_ip(request), facility.partner)
        if services.set_bulk_download(facility, enabled, actor=actor):
            state = "can now" if enabled else "can no longer"
            messages.success(request, f"{facility.name} {state} download certificates in bulk.")
    if request.POST.get("next") == "list":
        return redirect("partner_api:console")
    return redirect(_detail(facility))


def _detail(facility: Facility) -> str:
    return reverse("partner_api:console_facility", args=[facility.pk])


def _by(request: HttpRequest, facility: Facility) -> By:
    """The facility's partner acts, through the signed-in staff person."""
    return By(partner=facility.partner, actor=person_of(request.user), ip=client_ip(request))


@require_POST
@staff_required
def invite(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = facility_for(request, facility_id)
    form = InviteForm(request.POST, facility=facility)
    invitation = form.send(_by(request, facility))
    if invitation is None:
        return _render_detail(request, facility, form, status=form.status)
    messages.success(request, invitations.sent_message(invitation))
    return redirect(_detail(facility) + "#top")  # not the form's "#invite": the message is on top


@require_POST
@staff_required
def revoke_invitation(request: HttpRequest, facility_id: int, invitation_id: int) -> HttpResponse:
    facility = facility_for(request, facility_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, facilities=facility)
    with outcome(request, f"The invitation for {invitation.email} was withdrawn."):
        invitations.revoke(invitation, _by(request, facility), facility=facility)
    return redirect(_detail(facility))


@require_POST
@staff_required
def remove_member(request: HttpRequest, facility_id: int, membership_id: int) -> HttpResponse:
    facility = facility_for(request, facility_id)
    membership = current_member(facility, membership_id)
    if membership is None:
        raise Http404("No such member")
    with outcome(request, f"{membership.person.email} no longer has access."):
        invitations.remove_member(membership, _by(request, facility))
    return redirect(_detail(facility))
