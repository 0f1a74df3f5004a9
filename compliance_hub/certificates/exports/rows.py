"""What the CSV and XLSX exports contain: the table's rows for the filters, all of them.

``export_rows`` reads every matching assignment in the table's display order, a chunk at a
time (``QuerySet.iterator``), as plain tuples: no model instances; certificates whose PDF is
still pending are rendered first, batch by batch, so that every listed certificate has its
SHA-256 (``render_all_pending`` does the same ahead of ``csv_cells_query``).
``matching_count`` counts them exactly. ``csv_cells_query`` is the same rows with every cell
already formatted as the CSV writes it, computed by the database, for PostgreSQL's ``COPY ...
TO STDOUT (FORMAT csv)`` (``csv_export.stream_csv_copy``): the CSV then costs what the
database's own output costs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Case, CharField, F, Func, QuerySet, Value, When
from django.db.models.functions import Concat, NullIf
from django.urls import reverse

from compliance_hub.certificates.exports import pdfs
from compliance_hub.certificates.exports.pdfs import batches, render_missing
from compliance_hub.certificates.exports.safe import sql_neutralise
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.queries import TableFilters, filtered_assignments, matching
from compliance_hub.facilities.models import Facility

CHUNK_ROWS = 2000

HEADERS = (
    "Contractor",
    "Effective date",
    "End date",
    "Description",
    "Certificate number",
    "Status",
    "Issued at (UTC)",
    "SHA-256",
    "Certificate link",
)

# The row's current certificate: issued ("Current") or, for a cancelled assignment, void.
STATUS_WORDS: dict[str | None, str] = {
    "issued": "Current",
    "superseded": "Superseded",
    "void": "Void",
    None: "Not issued yet",
}

_FIELDS = (
    "contractor_name",
    "effective_date",
    "end_date",
    "description",
    "current_certificate__number",
    "current_certificate__status",
    "current_certificate__issued_at",
    "current_certificate__sha256",
)


class ExportRow(NamedTuple):
    contractor: str
    effective: date
    end: date
    description: str
    number: str
    status: str
    issued_at: datetime | None  # UTC
    sha256: str  # of the issued PDF; empty only if there is none (not issued, or unrenderable)
    link: str  # absolute address of the certificate in the portal, empty if none


def certificate_link_prefix(facility: Facility) -> str:
    """``https://hub.example/facilities/7/certificates/``: a number and ``/`` complete it."""
    path = reverse("certificates:table", kwargs={"facility_id": facility.pk})
    return f"{settings.SITE_URL}{path}"


def matching_count(facility: Facility, filters: TableFilters) -> int:
    """How many rows the export of ``filters`` has (exact; one COUNT query)."""
    return matching(facility, filters).count()


def export_rows(
    facility: Facility,
    filters: TableFilters,
    *,
    chunk_size: int = CHUNK_ROWS,
) -> Iterator[ExportRow]:
    """Every row matching ``filters``, in the table's order. The query runs on first use.

    Certificates not rendered yet are rendered on the way, a batch of rows at a time
    (``pdfs.render_missing``), so every issued certificate's row has its SHA-256.
    """
    prefix = certificate_link_prefix(facility)
    qs = filtered_assignments(facility, filters).values_list(*_FIELDS, "current_certificate_id")
    for batch in batches(qs.iterator(chunk_size=chunk_size)):
        rendered = render_missing(row[8] for row in batch if row[8] is not None and not row[7])
        for name, effective, end, description, number, status, issued_at, sha256, pk in batch:
            if not sha256 and pk in rendered:
                sha256 = rendered[pk].sha256
            yield ExportRow(
                name,
                effective,
                end,
                description,
                number or "",
                STATUS_WORDS.get(status, status),
                issued_at.astimezone(UTC) if issued_at is not None else None,
                sha256 or "",
                f"{prefix}{number}/" if number else "",
            )


def render_all_pending(facility: Facility, filters: TableFilters) -> int:
    """Render the PDFs of the matching rows' certificates that have none; how many were.

    For an export whose rows the database writes itself (``csv_export.stream_csv_copy``):
    run first, so that no row it writes lacks its SHA-256. Batch by batch, by id, with
    ``pdfs.render_missing``; one that cannot be rendered is not tried again here.

    First one probe of the worker's queue index: with no certificate awaiting its PDF
    anywhere (the steady state) nothing else is read. Otherwise the matching rows are joined
    to their certificates, a cost that grows with the rows exported; without the probe the
    planner also chose that join from statistics that still counted a backlog the worker
    had cleared (docs/benchmarks.md, "Notes on this run").
    """
    if not Certificate.objects.filter(rendered_at__isnull=True).exists():
        return 0
    pending = (
        matching(facility, filters)
        .filter(current_certificate__isnull=False, current_certificate__rendered_at__isnull=True)
        .order_by("current_certificate_id")
        .values_list("current_certificate_id", flat=True)
    )
    done, after = 0, 0
    while ids := list(pending.filter(current_certificate_id__gt=after)[: pdfs.RENDER_BATCH]):
        done += len(render_missing(ids))
        after = ids[-1]
    return done


class _Neutralised(Func):
    """``core.text.spreadsheet_cell`` in SQL: bidi controls removed, formula triggers defused."""

    template = sql_neutralise("%(expressions)s")
    output_field = CharField()


class _IsoDate(Func):
    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = CharField()


class _UtcSecond(Func):
    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    output_field = CharField()


def _text(expression: Any) -> NullIf:
    """Empty text as NULL, which COPY writes as nothing (like Python's csv), not ``""``."""
    return NullIf(expression, Value(""))


def csv_cells_query(facility: Facility, filters: TableFilters) -> QuerySet[Any]:
    """The export's rows as CSV cell text, in order, computed by PostgreSQL.

    Column for column what ``csv_export.csv_cells`` makes of ``export_rows`` (tested to be
    byte-identical): neutralised text, ISO dates, UTC time to the second, status words,
    link. Only column references are repeated inside the templates (no parameters).
    """
    number = F("current_certificate__number")
    words = [
        When(current_certificate__status=key, then=Value(word))
        for key, word in STATUS_WORDS.items()
        if key is not None
    ]
    return filtered_assignments(facility, filters).values_list(
        _text(_Neutralised(F("contractor_name"))),
        _IsoDate(F("effective_date")),
        _IsoDate(F("end_date")),
        _text(_Neutralised(F("description"))),
        _text(_Neutralised(number)),
        Case(
            When(current_certificate__isnull=True, then=Value(STATUS_WORDS[None])),
            *words,
            default=F("current_certificate__status"),
            output_field=CharField(),
        ),
        _UtcSecond(F("current_certificate__issued_at")),
        _text(F("current_certificate__sha256")),
        Case(
            When(
                current_certificate__isnull=False,
                then=Concat(Value(certificate_link_prefix(facility)), number, Value("/")),
            ),
            default=Value(None),
            output_field=CharField(),
        ),
    )
