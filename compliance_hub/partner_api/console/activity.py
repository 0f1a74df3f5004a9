"""The partner console's activity page: everything at the partner's facilities and keys."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from compliance_hub.activity import queries
from compliance_hub.activity.filters import ActivityFilterForm, ActivityFilters, parse_filters
from compliance_hub.activity.kinds import PARTNER_VERBS
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.activity.views.common import csv_response, page_context
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.models import Facility, Partner
from compliance_hub.partner_api.console.access import partner_ids, staff_required


@dataclass
class Scope:
    partners: list[Partner]
    filters: ActivityFilters
    form: ActivityFilterForm
    facility: Facility | None
    qs: QuerySet[Activity]


def _scope(request: HttpRequest) -> Scope:
    """The staff person's partners' log, narrowed by the filters (a facility of theirs only)."""
    ids = partner_ids(request)
    facilities = {
        f.pk: f for f in Facility.objects.filter(partner_id__in=ids).order_by("name", "id")
    }
    filters, form = parse_filters(
        request.GET,
        verbs=PARTNER_VERBS,
        facilities=[(pk, f.name) for pk, f in facilities.items()],
    )
    facility = facilities.get(filters.facility) if filters.facility else None
    qs = queries.for_facility(facility) if facility else queries.for_partners(ids)
    return Scope(
        partners=request.partners,  # type: ignore[attr-defined]
        filters=filters,
        form=form,
        facility=facility,
        qs=queries.filtered(qs, filters),
    )


@require_safe
@staff_required
def partner_log(request: HttpRequest) -> HttpResponse:
    """The log page: filters, a keyset page of 50, links to newer and older records."""
    scope = _scope(request)
    base = reverse("partner_api:console_activity")
    context = {
        "partners": scope.partners,
        "export_url": reverse("partner_api:console_activity_export"),
        **page_context(request, scope.qs, scope.filters, scope.form, base),
    }
    return render(request, "activity/partner.html", context)


@require_safe
@staff_required
def partner_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered log as CSV (every matching record, streamed)."""
    scope = _scope(request)
    if request.method == "GET":
        detail = {"what": "activity log", "format": "csv", "filters": scope.filters.as_params()}
        where = (
            [{"facility": scope.facility}]
            if scope.facility
            else [{"partner": partner} for partner in scope.partners]
        )
        for place in where:
            record(
                Activity.Verb.EXPORTED,
                actor=request.user,
                ip=client_ip(request),
                target="activity log",
                detail=detail,
                **place,
            )
    return csv_response(scope.qs, "partner")
