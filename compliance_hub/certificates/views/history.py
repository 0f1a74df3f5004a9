"""Every certificate ever issued for one assignment: current, superseded (by which), void."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.queries import (
    TableFilters,
    matching,
    parse_cursor,
    parse_filters,
)
from compliance_hub.core.pagination import MAX_ID
from compliance_hub.facilities.queries import portal_for


@login_required
@require_safe
def history(request: HttpRequest, facility_id: int, assignment_id: int) -> HttpResponse:
    """The assignment's certificates, newest first; 404 unless it is at the person's facility."""
    portal = portal_for(request.user, facility_id, auditor=True)
    if assignment_id > MAX_ID:
        raise Http404("No such assignment")
    # An auditor's: only an assignment active during the audit period (the table's filter).
    scope = matching(portal.facility, portal.scoped(TableFilters()))
    assignment = scope.filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such assignment")
    certificates = list(
        Certificate.objects.filter(assignment=assignment)
        .order_by("-issued_at", "-id")
        .defer("snapshot")
    )
    successor = {c.supersedes_id: c for c in certificates if c.supersedes_id is not None}
    rows = [{"certificate": c, "superseded_by": successor.get(c.pk)} for c in certificates]
    # "All assignments" goes back to the table as it was left: its filters and its page.
    filters, _form = parse_filters(request.GET)
    cursor, _refused = parse_cursor(request.GET, filters)
    back = filters.as_params()
    if cursor is not None:
        name = "before" if cursor.before else "after"
        back[name] = request.GET[name]
    table = reverse("certificates:table", kwargs={"facility_id": portal.facility.pk})
    context = {
        "back_url": f"{table}?{urlencode(back)}" if back else table,
        "facility": portal.facility,
        "portal": portal,
        "assignment": assignment,
        "rows": rows,
    }
    return render(request, "certificates/history.html", context)
