"""Writes for audits: keeping an upload until it runs, and running a reconciliation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.audits import matching, queries
from compliance_hub.audits.bulk import insert_all
from compliance_hub.audits.columns import LABELS, Mapping
from compliance_hub.audits.coverage import CoverIndex
from compliance_hub.audits.identity import IdentityIndex, decision_key
from compliance_hub.audits.models import (
    UNRESOLVED,
    ContractorCoverage,
    PendingUpload,
    Reconciliation,
    ReconciliationRow,
    RowDecision,
    Status,
)
from compliance_hub.audits.parsing.files import read_schedule
from compliance_hub.audits.parsing.limits import (
    MB,
    PENDING_BYTES_PER_FACILITY,
    PENDING_BYTES_PER_PERSON,
    PENDING_PER_FACILITY,
    PENDING_PER_PERSON,
    UPLOADS_PER_HOUR,
)
from compliance_hub.audits.parsing.table import Table
from compliance_hub.audits.schedule import PaymentRow, Schedule, read_schedule_rows
from compliance_hub.certificates.names import fold
from compliance_hub.core import ratelimit, replica
from compliance_hub.core.text import neutralise_bidi
from compliance_hub.facilities.models import Facility

UPLOAD_TTL = timedelta(hours=24)
SHOWN_ROW_ERRORS = 20


class RunRefused(Exception):
    """The reconciliation cannot run as asked; ``str(exc)`` says why."""


class UploadRefused(Exception):
    """The upload is over a quota or the rate limit; ``str(exc)`` says so and what to do."""


def purge_stale_uploads() -> int:
    """Delete uploads nobody ran within ``UPLOAD_TTL``. Returns how many."""
    deleted, _ = PendingUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_TTL).delete()
    return deleted


def _check_quotas(facility: Facility, person: Any, size: int) -> None:
    """Refuse an upload over the rate limit, or over what one person or one facility may keep
    waiting: uploads not yet run, discarded or expired, counted and summed in bytes."""
    rate = ratelimit.hit("audit-upload", f"person:{person.pk}", limit=UPLOADS_PER_HOUR, window=3600)
    if not rate.allowed:
        raise UploadRefused(
            f"You have uploaded {UPLOADS_PER_HOUR} schedules within the hour, the limit. "
            f"Try again in {-(-rate.retry_after // 60)} minutes."
        )
    hours = int(UPLOAD_TTL.total_seconds() // 3600)
    waiting = PendingUpload.objects.filter(facility=facility)
    for scope, who, remedy, most, most_bytes in (
        (
            waiting.filter(person=person),
            "You have",
            "Run or discard one of yours (Audits page) first",
            PENDING_PER_PERSON,
            PENDING_BYTES_PER_PERSON,
        ),
        (
            waiting,
            "This facility has",
            "Ask your colleagues to run or discard theirs",
            PENDING_PER_FACILITY,
            PENDING_BYTES_PER_FACILITY,
        ),
    ):
        kept = scope.aggregate(count=Count("pk"), size=Coalesce(Sum("file_size"), 0))
        if kept["count"] >= most:
            raise UploadRefused(
                f"{who} {kept['count']} uploads waiting to be run; the limit is {most}. "
                f"{remedy}, or wait: uploads not run expire after {hours} hours."
            )
        if kept["size"] + size > most_bytes:
            raise UploadRefused(
                f"{who} {kept['size'] / MB:.1f} MB of uploads waiting to be run and this file "
                f"is {size / MB:.1f} MB; the limit is {most_bytes // MB} MB. {remedy}, or wait: "
                f"uploads not run expire after {hours} hours."
            )


def keep_upload(facility: Facility, person: Any, file_name: str, data: bytes) -> PendingUpload:
    """Read an uploaded schedule and keep its cells until it runs.

    Raises ``UploadRefused`` (over a quota or the rate limit) or ``FileProblem`` (the file
    cannot be used); either way nothing is stored.
    """
    purge_stale_uploads()
    _check_quotas(facility, person, len(data))
    table = read_schedule(data)
    return PendingUpload.objects.create(
        facility=facility,
        person=person,
        file_name=neutralise_bidi(file_name or "schedule")[:255],
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
    """Match every row of ``schedule`` against the facility's cover (a handful of queries),
    applying the facility's manual decisions."""
    span = _date_range(schedule)
    people = IdentityIndex(queries.facility_people(facility))
    decisions = queries.decisions_of(facility)
    if span is None:
        return Matched(matching.match_all(schedule.rows, people, {}, {}, decisions), {}, None)
    lo, hi = span[0] - queries.MARGIN, span[1] + queries.MARGIN
    covers = matching.build_covers(queries.facility_cover(facility, lo, hi))
    voided = matching.build_covers(queries.facility_voided(facility, span[0], span[1]))
    outcomes = matching.match_all(schedule.rows, people, covers, voided, decisions)
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
        "currency": row.currency,
        "uncovered_amount": matching.uncovered_amount(outcome),
        "decision": outcome.decision[:400],
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
    person: Any,
    ip: str | None = None,
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
    mapped = {
        key: table.header[column] or f"column {column + 1}"
        for key, column in mapping.items()
        if column is not None
    }
    matched = _matched(upload.facility, schedule)
    with transaction.atomic():
        reconciliation = _save(
            upload.facility,
            schedule,
            matched,
            person=person,
            ip=ip,
            source={
                "file_name": upload.file_name,
                "file_kind": upload.kind,
                "file_size": upload.file_size,
                "file_sha256": upload.sha256,
                "encoding": upload.encoding,
                "sheet": upload.sheet,
                "mapping": mapped,
                "has_amounts": mapping.get("amount") is not None,
            },
        )
        upload.delete()
    return reconciliation


def _matched(facility: Facility, schedule: Schedule) -> Matched:
    """``reconcile``, outside any transaction, so that its reads may use the replica
    (core/replica.py: a heavy read; the person's own decisions pin them to the primary)."""
    with replica.heavy_reads():
        return reconcile(facility, schedule)


def _save(
    facility: Facility,
    schedule: Schedule,
    matched: Matched,
    *,
    person: Any,
    ip: str | None,
    source: dict[str, Any],
) -> Reconciliation:
    """Save the matched ``schedule`` as a reconciliation with its rows (in a transaction)."""
    outcomes, span = matched.outcomes, matched.span
    assert span is not None
    reconciliation = Reconciliation.objects.create(
        facility=facility,
        created_by=person,
        created_by_label=getattr(person, "email", "") or "unknown",
        date_basis=schedule.basis,
        date_notes=schedule.notes,
        period_start=span[0],
        period_end=span[1],
        row_count=len(schedule.rows),
        totals=matching.totals(outcomes),
        **source,
    )
    insert_all(ReconciliationRow, (_row(reconciliation.pk, o) for o in outcomes))
    insert_all(ContractorCoverage, _coverage(reconciliation, outcomes, matched.covers, span))
    totals = reconciliation.totals
    record(
        Activity.Verb.AUDIT_RUN,
        actor=person,
        ip=ip,
        facility=facility,
        target=f"reconciliation {reconciliation.pk}",
        detail={
            "reconciliation": reconciliation.pk,
            "file": reconciliation.file_name,
            "rows": len(schedule.rows),
            **{status: totals[status]["count"] for status in Status.values},
            "duplicates": totals["duplicate"]["count"],
            "manual_decisions": totals["manual"]["count"],
            **({"rerun_of": source["rerun_of"].pk} if source.get("rerun_of") else {}),
        },
    )
    return reconciliation


def _saved_schedule(reconciliation: Reconciliation) -> Schedule:
    """The reconciliation's rows read back as a schedule, to be matched again."""
    rows = []
    fields = (
        "line",
        "status",
        "given_name",
        "given_email",
        "given_contractor_id",
        "work_from",
        "work_to",
        "payment_date",
        "amount",
        "currency",
        "duplicate_of",
        "note",
    )
    saved = reconciliation.rows.order_by("line").values_list(*fields)
    for (
        line,
        status,
        name,
        email,
        contractor_id,
        start,
        end,
        paid,
        amount,
        currency,
        duplicate_of,
        note,
    ) in saved.iterator(chunk_size=2000):
        row = PaymentRow(
            line=line,
            name=name,
            email=email,
            contractor_id=contractor_id,
            start=start,
            end=end,
            payment_date=paid,
            amount=amount,
            currency=currency,
            duplicate_of=duplicate_of,
        )
        if status == Status.INVALID:
            row.errors = [note or "This row could not be read."]
        rows.append(row)
    return Schedule(rows=rows, basis=reconciliation.date_basis, notes=reconciliation.date_notes)


def rerun(reconciliation: Reconciliation, *, person: Any, ip: str | None = None) -> Reconciliation:
    """Match the saved rows again against today's certificates and the facility's manual
    decisions; saved as a new reconciliation (the earlier one is kept as it was)."""
    schedule = _saved_schedule(reconciliation)
    if _date_range(schedule) is None:
        raise RunRefused("This reconciliation has no readable rows to run again.")
    source = {
        field: getattr(reconciliation, field)
        for field in (
            "file_name",
            "file_kind",
            "file_size",
            "file_sha256",
            "encoding",
            "sheet",
            "mapping",
            "has_amounts",
            "payroll_share",
            "class_rate",
            "estimate_set_by_label",
            "estimate_set_at",
        )
    }
    matched = _matched(reconciliation.facility, schedule)
    with transaction.atomic():
        return _save(
            reconciliation.facility,
            schedule,
            matched,
            person=person,
            ip=ip,
            source={**source, "rerun_of": reconciliation},
        )


class DecisionRefused(Exception):
    """The decision cannot be saved; ``str(exc)`` says why."""


NOT_HERE = "none"


def decide(
    reconciliation: Reconciliation,
    line: int,
    choice: str,
    *,
    person: Any,
) -> RowDecision:
    """Save who row ``line``'s written name is at the facility: a contractor id among the
    facility's contractors, or ``NOT_HERE``. Replaces an earlier decision for that name."""
    facility = reconciliation.facility
    row = reconciliation.rows.filter(line=line).first() if 0 < line < 2**31 else None
    if row is None or (row.status not in UNRESOLVED and not row.decision):
        raise DecisionRefused(f"Row {line} needs no decision.")
    contractor = None
    if choice != NOT_HERE:
        contractor = queries.facility_contractor(facility, choice)
        if contractor is None:
            raise DecisionRefused("Choose one of the contractors offered, or “not a contractor”.")
    name_key, email_key, id_key = decision_key(
        row.given_name, row.given_email, row.given_contractor_id
    )
    written = row.given_name or row.given_email or row.given_contractor_id
    decision, _created = RowDecision.objects.update_or_create(
        facility=facility,
        name_key=name_key,
        email_key=email_key,
        id_key=id_key,
        defaults={
            "written": written[:300],
            "contractor": contractor,
            "decided_by": person,
            "decided_by_label": getattr(person, "email", "") or "unknown",
            "decided_at": timezone.now(),
            "reconciliation": reconciliation,
        },
    )
    return decision


def set_estimate(
    reconciliation: Reconciliation,
    *,
    payroll_share: Decimal,
    class_rate: Decimal,
    person: Any,
) -> None:
    """Save the exposure estimate's inputs (share treated as payroll, class rate)."""
    Reconciliation.objects.filter(pk=reconciliation.pk).update(
        payroll_share=payroll_share,
        class_rate=class_rate,
        estimate_set_by_label=getattr(person, "email", "") or "unknown",
        estimate_set_at=timezone.now(),
    )


def mapping_summary(mapping: Mapping, header: list[str]) -> list[tuple[str, str]]:
    """(field label, column header) pairs for what is mapped, for display."""
    return [
        (LABELS[key], header[column] or f"column {column + 1}")
        for key, column in mapping.items()
        if column is not None
    ]
