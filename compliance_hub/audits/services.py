"""Writes for audits: keeping an upload until it runs, and running a reconciliation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.audits import matching, queries
from compliance_hub.audits.bulk import insert_all
from compliance_hub.audits.columns import LABELS, Mapping
from compliance_hub.audits.coverage import CoverIndex
from compliance_hub.audits.identity import IdentityIndex
from compliance_hub.audits.models import (
    ContractorCoverage,
    PendingUpload,
    Reconciliation,
    ReconciliationRow,
    Status,
)
from compliance_hub.audits.parsing.files import read_schedule
from compliance_hub.audits.parsing.table import Table
from compliance_hub.audits.schedule import Schedule, read_schedule_rows
from compliance_hub.certificates.names import fold
from compliance_hub.facilities.models import Facility

UPLOAD_TTL = timedelta(hours=24)
SHOWN_ROW_ERRORS = 20


class RunRefused(Exception):
    """The reconciliation cannot run as asked; ``str(exc)`` says why."""


def purge_stale_uploads() -> int:
    """Delete uploads nobody ran within ``UPLOAD_TTL``. Returns how many."""
    deleted, _ = PendingUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_TTL).delete()
    return deleted


def keep_upload(facility: Facility, person: Any, file_name: str, data: bytes) -> PendingUpload:
    """Read an uploaded schedule and keep its cells until it runs.

    Raises ``FileProblem`` (nothing is stored) when the file cannot be used.
    """
    table = read_schedule(data)
    purge_stale_uploads()
    return PendingUpload.objects.create(
        facility=facility,
        person=person,
        file_name=(file_name or "schedule")[:255],
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        kind=table.kind,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
        row_count=len(table.rows),
        data=table.dumps(),
    )


def table_of(upload: PendingUpload) -> Table:
    return Table.loads(bytes(upload.data))


def _date_range(schedule: Schedule) -> tuple[date, date] | None:
    starts = [r.start for r in schedule.rows if r.start is not None]
    ends = [r.end for r in schedule.rows if r.end is not None]
    if not starts or not ends:
        return None
    return min(starts), max(ends)


@dataclass
class Matched:
    """The outcome of every row, the cover it was matched against, and the dates spanned."""

    outcomes: list[matching.Outcome]
    covers: dict[int, CoverIndex]
    span: tuple[date, date] | None


def reconcile(facility: Facility, schedule: Schedule) -> Matched:
    """Match every row of ``schedule`` against the facility's cover (a handful of queries)."""
    span = _date_range(schedule)
    people = IdentityIndex(queries.facility_people(facility))
    if span is None:
        return Matched(matching.match_all(schedule.rows, people, {}, {}), {}, None)
    lo, hi = span[0] - queries.MARGIN, span[1] + queries.MARGIN
    covers = matching.build_covers(queries.facility_cover(facility, lo, hi))
    voided = matching.build_covers(queries.facility_voided(facility, span[0], span[1]))
    outcomes = matching.match_all(schedule.rows, people, covers, voided)
    want_before, want_after = matching.needing_hints(outcomes)
    if want_before or want_after:
        before, after = queries.cover_beyond(facility, want_before, want_after, lo, hi)
        matching.apply_hints(outcomes, before, after)
    return Matched(outcomes, covers, span)


_fold = lru_cache(maxsize=65_536)(fold)


def _row(reconciliation_id: int, outcome: matching.Outcome) -> dict[str, Any]:
    """One saved row's column values (by attribute name)."""
    row = outcome.row
    person = outcome.person
    label = person.label if person else ""
    return {
        "reconciliation_id": reconciliation_id,
        "line": row.line,
        "status": str(outcome.status),
        "given_name": row.name[:300],
        "given_email": row.email[:300],
        "given_contractor_id": row.contractor_id[:300],
        "contractor_id": person.id if person else None,
        "contractor_label": label[:300],
        "matched_by": outcome.how,
        "work_from": row.start,
        "work_to": row.end,
        "payment_date": row.payment_date,
        "amount": row.amount,
        "certificates": [c.as_json() for c in outcome.certificates],
        "candidates": outcome.candidates,
        "note": outcome.note(),
        "duplicate_of": row.duplicate_of,
        "search": f"{_fold(row.name)} | {_fold(label)} | {row.email.casefold()}"[:620],
    }


def _coverage(
    reconciliation: Reconciliation,
    outcomes: list[matching.Outcome],
    covers: dict[int, CoverIndex],
    span: tuple[date, date],
) -> list[dict[str, Any]]:
    seen: dict[int, str] = {}
    for outcome in outcomes:
        if outcome.person is not None:
            seen.setdefault(outcome.person.id, outcome.person.label)
    return [
        dict(
            reconciliation_id=reconciliation.pk,
            contractor_id=cid,
            label=label[:300],
            intervals=[[s.isoformat(), e.isoformat()] for s, e in covers[cid].covered_parts(*span)]
            if cid in covers
            else [],
        )
        for cid, label in seen.items()
    ]


def run(
    upload: PendingUpload,
    mapping: Mapping,
    *,
    include_unreadable: bool,
    request: HttpRequest | None = None,
    person: Any = None,
) -> Reconciliation:
    """Reconcile the uploaded schedule with ``mapping``, save the result, forget the upload.

    Rows that cannot be read refuse the run unless ``include_unreadable`` is set; then they
    are saved with status "invalid". All or nothing: a failure saves nothing.
    """
    table = table_of(upload)
    schedule = read_schedule_rows(table, mapping)
    unreadable = schedule.invalid
    if len(unreadable) == len(schedule.rows):
        raise RunRefused(
            "None of the rows can be read with this column mapping; check the columns chosen."
        )
    if unreadable and not include_unreadable:
        raise RunRefused(
            f"{len(unreadable):,} row(s) cannot be read (listed below). Fix the file and upload "
            "it again, or tick “Run anyway” to report them as unreadable rows."
        )
    facility = upload.facility
    matched = reconcile(facility, schedule)
    outcomes, span = matched.outcomes, matched.span
    assert span is not None
    actor = person if person is not None else getattr(request, "user", None)
    with transaction.atomic():
        reconciliation = Reconciliation.objects.create(
            facility=facility,
            created_by=actor,
            created_by_label=getattr(actor, "email", "") or "unknown",
            file_name=upload.file_name,
            file_kind=upload.kind,
            file_size=upload.file_size,
            file_sha256=upload.sha256,
            encoding=upload.encoding,
            sheet=upload.sheet,
            mapping={
                key: table.header[column] or f"column {column + 1}"
                for key, column in mapping.items()
                if column is not None
            },
            date_basis=schedule.basis,
            date_notes=schedule.notes,
            period_start=span[0],
            period_end=span[1],
            row_count=len(schedule.rows),
            has_amounts=mapping.get("amount") is not None,
            totals=matching.totals(outcomes),
        )
        insert_all(ReconciliationRow, (_row(reconciliation.pk, o) for o in outcomes))
        insert_all(ContractorCoverage, _coverage(reconciliation, outcomes, matched.covers, span))
        totals = reconciliation.totals
        record(
            Activity.Verb.AUDIT_RUN,
            request=request,
            actor=actor,
            facility=facility,
            target=f"reconciliation {reconciliation.pk}",
            detail={
                "reconciliation": reconciliation.pk,
                "file": upload.file_name,
                "rows": len(schedule.rows),
                **{status: totals[status]["count"] for status in Status.values},
                "duplicates": totals["duplicate"]["count"],
            },
        )
        upload.delete()
    return reconciliation


def mapping_summary(mapping: Mapping, header: list[str]) -> list[tuple[str, str]]:
    """(field label, column header) pairs for what is mapped, for display."""
    return [
        (LABELS[key], header[column] or f"column {column + 1}")
        for key, column in mapping.items()
        if column is not None
    ]
