"""Every certificate ever issued for one assignment: current, superseded (by which), void."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.facilities.queries import portal_for

_MAX_ID = 2**63 - 1


@login_required
@require_safe
def history(request: HttpRequest, facility_id: int, assignment_id: int) -> HttpResponse:
    """The assignment's certificates, newest first; 404 unless it is at the person's facility."""
    portal = portal_for(request.user, facility_id)
    if assignment_id > _MAX_ID:
        raise Http404("No such assignment")
    assignment = Assignment.objects.filter(pk=assignment_id, facility_id=portal.facility.pk).first()
    if assignment is None:
        raise Http404("No such assignment")
    certificates = list(
        Certificate.objects.filter(assignment=assignment)
        .order_by("-issued_at", "-id")
        .defer("snapshot")
    )
    successor = {c.supersedes_id: c for c in certificates if c.supersedes_id is not None}
    rows = [{"certificate": c, "superseded_by": successor.get(c.pk)} for c in certificates]
    context = {
        "facility": portal.facility,
        "portal": portal,
        "assignment": assignment,
        "rows": rows,
    }
    return render(request, "certificates/history.html", context)
