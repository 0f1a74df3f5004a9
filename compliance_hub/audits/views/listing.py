"""The Audit page of a facility: saved reconciliations and unfinished uploads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from compliance_hub.audits import links, queries
from compliance_hub.audits.models import PendingUpload
from compliance_hub.audits.views.common import facility_of, person_of


@login_required
@require_GET
def audit_list(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = facility_of(request, facility_id)
    reconciliations = list(queries.reconciliations_of(facility)[:200])
    pending = PendingUpload.objects.filter(facility=facility, person=person_of(request)).defer(
        "data"
    )
    return render(
        request,
        "audits/list.html",
        {
            "facility": facility,
            "reconciliations": reconciliations,
            "pending": pending.order_by("-created_at"),
            "table_url": links.table_url(facility.pk),
        },
    )
