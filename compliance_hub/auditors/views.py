"""The Auditors page of a facility (primary contacts): grants, give access, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.auditors import queries, services
from compliance_hub.auditors.forms import GrantForm
from compliance_hub.core.flash import outcome
from compliance_hub.core.net import client_ip
from compliance_hub.core.pagination import MAX_ID
from compliance_hub.facilities.queries import Portal, portal_for


def _primary(request: HttpRequest, facility_id: int) -> Portal:
    """The facility's primary contacts only (others with access: 403; anyone else: 404)."""
    portal = portal_for(request.user, facility_id)
    if not portal.is_primary:
        raise PermissionDenied("Only a primary contact gives auditors access.")
    return portal


def _render(
    request: HttpRequest, portal: Portal, form: GrantForm, status: int = 200
) -> HttpResponse:
    grants = list(queries.grants_of(portal.facility)[:200])
    context = {"facility": portal.facility, "portal": portal, "grants": grants, "form": form}
    return render(request, "auditors/facility.html", context, status=status)


@login_required
@require_GET
def facility(request: HttpRequest, facility_id: int) -> HttpResponse:
    portal = _primary(request, facility_id)
    return _render(request, portal, GrantForm(facility=portal.facility))


@login_required
@require_POST
def grant(request: HttpRequest, facility_id: int) -> HttpResponse:
    portal = _primary(request, facility_id)
    form = GrantForm(request.POST, facility=portal.facility)
    created = form.save(portal.person, client_ip(request))
    if created is None:
        return _render(request, portal, form, status=form.status)
    messages.success(request, f"Access given to {created.email}; we e-mailed them how to sign in.")
    return redirect("auditors:facility", facility_id=facility_id)


@login_required
@require_POST
def revoke(request: HttpRequest, facility_id: int, grant_id: int) -> HttpResponse:
    portal = _primary(request, facility_id)
    if grant_id > MAX_ID:  # not an id the hub gave out
        raise Http404("No such grant")
    found = queries.grants_of(portal.facility).filter(pk=grant_id).first()
    if found is None:
        raise Http404("No such grant")
    with outcome(request, f"Access of {found.email} revoked."):
        services.revoke(found, by=portal.person, ip=client_ip(request))
    return redirect("auditors:facility", facility_id=facility_id)
