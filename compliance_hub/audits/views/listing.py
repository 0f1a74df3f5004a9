"""The Audit page of a facility: saved reconciliations and unfinished uploads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from compliance_hub.audits import queries
from compliance_hub.audits.models import PendingUpload
from compliance_hub.audits.views.common import shared_with
from compliance_hub.facilities.queries import portal_for


@login_required
@require_GET
def audit_list(request: HttpRequest, facility_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id, auditor=True)
    facility = portal.facility
    # An auditor: the reconciliations shared with them, and no uploads of their own.
    reconciliations = list(shared_with(portal, queries.reconciliations_of(facility))[:200])
    pending = PendingUpload.objects.filter(facility=facility, person=portal.person).defer("data")
    if portal.is_auditor:
        pending = pending.none()
    return render(
        request,
        "audits/list.html",
        {
            "facility": facility,
            "portal": portal,
            "reconciliations": reconciliations,
            "pending": pending.order_by("-created_at"),
        },
    )
