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

from compliance_hub.activity.models import Activity
from compliance_hub.audits import links, queries, timeline
from compliance_hub.audits.exposure import LABEL, SOURCE, premium
from compliance_hub.audits.forms import EstimateForm, RowFilterForm
from compliance_hub.audits.identity import Suggester, decision_key
from compliance_hub.audits.models import (
    UNRESOLVED,
    ContractorCoverage,
    Reconciliation,
    ReconciliationRow,
    Status,
)
from compliance_hub.audits.reports.rows import basis_text, estimate_lines, exposure_total
from compliance_hub.audits.services import NOT_HERE
from compliance_hub.audits.views.common import reconciliation_of
from compliance_hub.certificates.names import fold
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.models import Facility
from compliance_hub.facilities.queries import Portal, portal_for

PAGE_SIZE = 100
MAX_TIMELINES = 12
STATUS_BADGE = {
    Status.COVERED: "badge-ok",
    Status.PARTIAL: "badge-warn",
    Status.NOT_COVERED: "badge-bad",
    Status.AMBIGUOUS: "badge-warn",
    Status.UNKNOWN: "badge-bad",
    Status.EXCLUDED: "badge-muted",
    Status.INVALID: "badge-muted",
}


def _totals(reconciliation: Reconciliation) -> list[dict[str, Any]]:
    return [
        {
            "status": status.value,
            "label": status.label,
            "badge": STATUS_BADGE[status],
            "count": reconciliation.total(status.value)["count"],
            "amount": reconciliation.total(status.value)["amount"],
        }
        for status in Status
        if status != Status.EXCLUDED or reconciliation.total(status.value)["count"]
    ]


def _resolving(facility: Facility, rows: list[ReconciliationRow]) -> None:
    """Give each unresolved row on the page its suggestions and any decision saved since
    the run: ``row.offers`` [(id, label, reason)], ``row.pending`` (a RowDecision or None)."""
    open_rows = [r for r in rows if r.status in UNRESOLVED or r.decision]
    if not open_rows:
        return
    keys = {r: decision_key(r.given_name, r.given_email, r.given_contractor_id) for r in open_rows}
    saved = queries.pending_decisions(facility, set(keys.values()))
    suggester = None
    if any(r.status == Status.UNKNOWN for r in open_rows):
        suggester = Suggester(queries.facility_people(facility))
    for row in open_rows:
        offers: list[tuple[int, str, str]] = []
        if row.status == Status.AMBIGUOUS:
            offers = [(c["id"], c["name"], "same name") for c in row.candidates]
        elif row.status == Status.UNKNOWN and suggester is not None:
            offers = [
                (s.person.id, s.person.label, s.reason)
                for s in suggester.suggest(row.given_name, row.given_email)
            ]
        pending = saved.get(keys[row])
        chosen = pending.contractor if pending is not None else None
        if chosen is not None and all(chosen.pk != o[0] for o in offers):
            offers.append((chosen.pk, chosen.full_name, "chosen before"))
        row.offers = offers  # type: ignore[attr-defined]
        applied = (
            bool(row.decision)
            and pending is not None
            and (queries.decision_text(pending) == row.decision)
        )
        row.pending = None if applied else pending  # type: ignore[attr-defined]
        row.pending_text = queries.decision_text(pending) if pending else ""  # type: ignore[attr-defined]
        row.resolvable = True  # type: ignore[attr-defined]


def _exposure(reconciliation: Reconciliation, rows: list[ReconciliationRow]) -> dict[str, Any]:
    inputs = reconciliation.estimate_inputs
    for row in rows:
        row.premium = premium(row.uncovered_amount, inputs)  # type: ignore[attr-defined]
    return {
        "inputs": inputs,
        "lines": estimate_lines(reconciliation),
        "total": exposure_total(reconciliation),
        "uncovered": reconciliation.totals.get("uncovered"),
        "source": SOURCE,
        "label": LABEL,
    }


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
    portal = portal_for(request.user, facility_id, auditor=True)  # shared ones: see common
    reconciliation = reconciliation_of(portal, reconciliation_id)
    if portal.is_auditor:  # each auditor action is in the facility's log
        portal.record(
            Activity.Verb.AUDITOR_VIEWED,
            ip=client_ip(request),
            target=f"reconciliation {reconciliation.pk}",
            detail={"reconciliation": reconciliation.pk},
        )
    return render_result(request, portal, reconciliation)


def render_result(
    request: HttpRequest,
    portal: Portal,
    reconciliation: Reconciliation,
    estimate_form: EstimateForm | None = None,
    status_code: int = 200,
) -> HttpResponse:
    """The result page (also re-shown, with errors, by a form posted from it)."""
    facility = portal.facility
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
    if not getattr(portal, "is_auditor", False):  # an auditor reads; decisions are the facility's
        _resolving(facility, page_rows)
    exposure = _exposure(reconciliation, page_rows)
    if estimate_form is None:
        inputs = reconciliation.estimate_inputs
        estimate_form = EstimateForm(
            initial={"payroll_share": inputs.share, "class_rate": inputs.rate}
        )
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
            "duplicates": reconciliation.total("duplicate"),
            "all": reconciliation.total("all"),
            "manual": reconciliation.total("manual"),
            "currencies": reconciliation.totals.get("currencies", {}),
            "exposure": exposure,
            "estimate_form": estimate_form,
            "payment_basis": reconciliation.date_basis == "payment",
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
            "not_here": NOT_HERE,
        },
        status=status_code,
    )
