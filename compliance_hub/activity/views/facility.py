"""A facility's activity log, for its primary contacts: page and CSV export.

Anyone without a membership gets a 404 (as everywhere in the portal). A team member knows
the facility exists, so they get a 403 page that says who can see the log.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from compliance_hub.activity import queries
from compliance_hub.activity.filters import parse_filters
from compliance_hub.activity.kinds import FACILITY_VERBS
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.activity.views.common import csv_response, page_context
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.models import Membership
from compliance_hub.facilities.queries import Portal, portal_for


def _primary_only(
    view: Callable[[HttpRequest, Portal], HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """The view is for the facility's primary contacts; it is called with their portal."""

    @login_required
    @require_safe
    @functools.wraps(view)
    def wrapper(request: HttpRequest, facility_id: int) -> HttpResponseBase:
        portal = portal_for(request.user, facility_id)
        if portal.is_primary:
            return view(request, portal)
        primaries = (
            Membership.objects.filter(
                facility=portal.facility, role=Membership.Role.PRIMARY, revoked_at__isnull=True
            )
            .select_related("person")
            .order_by("person__email")
        )
        context = {
            "facility": portal.facility,
            "portal": portal,
            "primaries": [m.person for m in primaries],
        }
        return render(request, "activity/primary_only.html", context, status=403)

    return wrapper


@_primary_only
def facility_log(request: HttpRequest, portal: Portal) -> HttpResponse:
    """Who signed in, viewed, downloaded, exported, invited or removed whom, newest first."""
    facility = portal.facility
    filters, form = parse_filters(request.GET, verbs=FACILITY_VERBS)
    qs = queries.filtered(queries.for_facility(facility), filters)
    base = reverse("activity:facility", kwargs={"facility_id": facility.pk})
    context = {
        "facility": facility,
        "portal": portal,
        "export_url": reverse("activity:facility_export", kwargs={"facility_id": facility.pk}),
        **page_context(request, qs, filters, form, base),
    }
    return render(request, "activity/facility.html", context)


@_primary_only
def facility_export(request: HttpRequest, portal: Portal) -> HttpResponseBase:
    """The filtered log as CSV (every matching record, streamed)."""
    facility = portal.facility
    filters, _ = parse_filters(request.GET, verbs=FACILITY_VERBS)
    if request.method == "GET":
        record(
            Activity.Verb.EXPORTED,
            actor=portal.person,
            ip=client_ip(request),
            facility=facility,
            target="activity log",
            detail={"what": "activity log", "format": "csv", "filters": filters.as_params()},
        )
    slug = re.sub(r"[^a-z0-9]+", "-", facility.name.lower()).strip("-") or str(facility.pk)
    return csv_response(queries.filtered(queries.for_facility(facility), filters), slug[:60])
