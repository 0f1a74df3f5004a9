"""Reads for reconciliation: the facility's contractors and certificate cover, in few queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Max, Min, QuerySet

from compliance_hub.audits.coverage import Cover
from compliance_hub.audits.identity import Person
from compliance_hub.audits.matching import Decision, Decisions
from compliance_hub.audits.models import Reconciliation, ReconciliationRow, RowDecision
from compliance_hub.certificates.models import Assignment, Certificate, Contractor
from compliance_hub.certificates.queries import TableFilters, matching
from compliance_hub.facilities.models import Facility

# Cover this far around the schedule's dates is loaded with it, for "nearest cover" hints.
MARGIN = timedelta(days=400)
_CHUNK = 500


def facility_people(facility: Facility) -> list[Person]:
    """Every contractor with any assignment (active or cancelled) at ``facility``."""
    at_facility = Assignment.objects.filter(facility=facility).values("contractor_id")
    rows = Contractor.objects.filter(id__in=at_facility).values_list(
        "id", "first_name", "last_name", "email", "external_id"
    )
    return [Person(*row) for row in rows]


def facility_contractor(facility: Facility, contractor_id: object) -> Contractor | None:
    """The contractor, if they have an assignment at ``facility`` (else ``None``)."""
    try:
        pk = int(str(contractor_id))
    except ValueError:
        return None
    return Contractor.objects.filter(
        pk=pk, id__in=Assignment.objects.filter(facility=facility).values("contractor_id")
    ).first()


def decision_text(decision: RowDecision) -> str:
    """``"Lisa Turner, chosen by ann@example.com on 2026-12-05"``."""
    chosen = decision.contractor.full_name if decision.contractor else "not a contractor here"
    return f"{chosen}, chosen by {decision.decided_by_label} on {decision.decided_at:%Y-%m-%d}"


def decisions_of(facility: Facility) -> Decisions:
    """The facility's manual decisions, by written name, e-mail and id."""
    return {
        (d.name_key, d.email_key, d.id_key): Decision(d.contractor_id, decision_text(d))
        for d in RowDecision.objects.filter(facility=facility).select_related("contractor")
    }


def pending_decisions(
    facility: Facility, keys: set[tuple[str, str, str]]
) -> dict[tuple[str, str, str], RowDecision]:
    """The saved decisions for these keys (to show beside rows not yet re-run)."""
    if not keys:
        return {}
    names = {k[0] for k in keys}
    found = RowDecision.objects.filter(facility=facility, name_key__in=names).select_related(
        "contractor"
    )
    return {
        (d.name_key, d.email_key, d.id_key): d
        for d in found
        if (d.name_key, d.email_key, d.id_key) in keys
    }


def _covers(facility: Facility, lo: date, hi: date, *, voided: bool) -> dict[int, list[Cover]]:
    # The table's "active during lo..hi", current or void.
    period = TableFilters(active_from=lo, active_to=hi, status="void" if voided else "current")
    certificate = Certificate.Status.VOID if voided else Certificate.Status.ISSUED
    rows = (
        matching(facility, period)
        .filter(current_certificate__status=certificate)
        .values_list(
            "contractor_id",
            "effective_date",
            "end_date",
            "current_certificate_id",
            "current_certificate__number",
        )
    )
    covers: dict[int, list[Cover]] = defaultdict(list)
    for contractor_id, start, end, certificate_id, number in rows:
        covers[contractor_id].append(Cover(start, end, certificate_id, number))
    return covers


def facility_cover(facility: Facility, lo: date, hi: date) -> dict[int, list[Cover]]:
    """Current certificates of active assignments overlapping ``lo``..``hi``, by contractor.

    Only these count as cover: a superseded certificate is not current, and a cancelled
    assignment's certificate is void.
    """
    return _covers(facility, lo, hi, voided=False)


def facility_voided(facility: Facility, lo: date, hi: date) -> dict[int, list[Cover]]:
    """Void certificates of cancelled assignments overlapping ``lo``..``hi`` (to explain gaps)."""
    return _covers(facility, lo, hi, voided=True)


def _extreme(rows: QuerySet[Assignment], ids: set[int], column: str, pick: type) -> dict[int, date]:
    found: dict[int, date] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), _CHUNK):
        found.update(
            rows.filter(contractor_id__in=ordered[i : i + _CHUNK])
            .values("contractor_id")
            .annotate(day=pick(column))
            .values_list("contractor_id", "day")
        )
    return found


def cover_beyond(
    facility: Facility, before_ids: set[int], after_ids: set[int], lo: date, hi: date
) -> tuple[dict[int, date], dict[int, date]]:
    """The last covered day before ``lo`` (for ``before_ids``) and the first after ``hi``
    (for ``after_ids``), by contractor."""
    current = Assignment.objects.filter(
        facility=facility,
        status=Assignment.Status.ACTIVE,
        current_certificate__status=Certificate.Status.ISSUED,
    )
    before = _extreme(current.filter(end_date__lt=lo), before_ids, "end_date", Max)
    after = _extreme(current.filter(effective_date__gt=hi), after_ids, "effective_date", Min)
    return before, after


def reconciliations_of(facility: Facility) -> QuerySet[Reconciliation]:
    """The facility's saved reconciliations, newest first."""
    return Reconciliation.objects.filter(facility=facility).order_by("-created_at", "-id")


def rows_of(
    reconciliation: Reconciliation,
    *,
    status: str = "",
    contractor_id: int | None = None,
    search: str = "",
) -> QuerySet[ReconciliationRow]:
    """The reconciliation's rows in file order, optionally filtered."""
    rows = ReconciliationRow.objects.filter(reconciliation=reconciliation)
    if status:
        rows = rows.filter(status=status)
    if contractor_id is not None:
        rows = rows.filter(contractor_id=contractor_id)
    if search:
        rows = rows.filter(search__contains=search)
    return rows.order_by("line")
