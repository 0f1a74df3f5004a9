"""A saved reconciliation: totals, the rows (filtered, paginated) and coverage timelines."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from compliance_hub.audits import links, queries, timeline
from compliance_hub.audits.forms import RowFilterForm
from compliance_hub.audits.models import (
    ContractorCoverage,
    Reconciliation,
    ReconciliationRow,
    Status,
)
from compliance_hub.audits.reports.rows import basis_text
from compliance_hub.audits.views.common import reconciliation_of
from compliance_hub.certificates.names import fold
from compliance_hub.facilities.queries import portal_for

PAGE_SIZE = 100
MAX_TIMELINES = 12
STATUS_BADGE = {
    Status.COVERED: "badge-ok",
    Status.PARTIAL: "badge-warn",
    Status.NOT_COVERED: "badge-bad",
    Status.AMBIGUOUS: "badge-warn",
    Status.UNKNOWN: "badge-bad",
    Status.INVALID: "badge-muted",
}


def _totals(reconciliation: Reconciliation) -> list[dict[str, Any]]:
    totals = reconciliation.totals
    return [
        {
            "status": status.value,
            "label": status.label,
            "badge": STATUS_BADGE[status],
            "count": totals[status.value]["count"],
            "amount": totals[status.value]["amount"],
        }
        for status in Status
    ]


def _timelines(
    reconciliation: Reconciliation, contractor_ids: list[int]
) -> list[timeline.Timeline]:
    if not contractor_ids or reconciliation.period_start is None:
        return []
    assert reconciliation.period_end is not None
    period = (reconciliation.period_start, reconciliation.period_end)
    coverage = {
        c.contractor_id: c
        for c in ContractorCoverage.objects.filter(
            reconciliation=reconciliation, contractor_id__in=contractor_ids
        )
    }
    paid: dict[int, list[tuple[int, date, date, str]]] = defaultdict(list)
    for cid, line, start, end, status in ReconciliationRow.objects.filter(
        reconciliation=reconciliation,
        contractor_id__in=contractor_ids,
        status__in=[Status.COVERED, Status.PARTIAL, Status.NOT_COVERED],
    ).values_list("contractor_id", "line", "work_from", "work_to", "status"):
        if start is not None and end is not None:
            paid[cid].append((line, start, end, status))
    pictures = []
    for cid in contractor_ids:
        if cid not in coverage:
            continue
        covered = [
            (date.fromisoformat(s), date.fromisoformat(e)) for s, e in coverage[cid].intervals
        ]
        pictures.append(timeline.build(cid, coverage[cid].label, period, covered, paid[cid]))
    return pictures


def _link_certificates(facility_id: int, rows: list[ReconciliationRow]) -> None:
    for row in rows:
        row.certificate_links = [  # type: ignore[attr-defined]
            (c["number"], links.certificate_url(facility_id, c["number"])) for c in row.certificates
        ]
        row.badge = STATUS_BADGE[Status(row.status)]  # type: ignore[attr-defined]


@login_required
@require_GET
def result(request: HttpRequest, facility_id: int, reconciliation_id: int) -> HttpResponse:
    portal = portal_for(request.user, facility_id)
    facility = portal.facility
    reconciliation = reconciliation_of(portal, reconciliation_id)
    filters = RowFilterForm(request.GET)
    status, search, contractor_id = "", "", None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or ""
        search = fold(filters.cleaned_data["q"] or "")
        contractor_id = filters.cleaned_data["contractor"]
    rows = queries.rows_of(
        reconciliation, status=status, contractor_id=contractor_id, search=search
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page_rows = list(page.object_list)
    _link_certificates(facility.pk, page_rows)
    if contractor_id is not None:
        shown = [contractor_id]
    else:
        shown = list(dict.fromkeys(r.contractor_id for r in page_rows if r.contractor_id))
    pictures = _timelines(reconciliation, shown[:MAX_TIMELINES])
    query = request.GET.copy()
    query.pop("page", None)
    contractor_label = ""
    if contractor_id is not None:
        first = next((r for r in page_rows if r.contractor_label), None)
        contractor_label = first.contractor_label if first else ""
    return render(
        request,
        "audits/result.html",
        {
            "facility": facility,
            "portal": portal,
            "reconciliation": reconciliation,
            "totals": _totals(reconciliation),
            "duplicates": reconciliation.totals["duplicate"],
            "all": reconciliation.totals["all"],
            "basis": basis_text(reconciliation.date_basis),
            "filters": filters,
            "filtered": bool(status or search or contractor_id),
            "contractor_id": contractor_id,
            "contractor_label": contractor_label,
            "page": page,
            "rows": page_rows,
            "query": query.urlencode(),
            "timelines": pictures,
            "more_timelines": max(len(shown) - MAX_TIMELINES, 0),
        },
    )
