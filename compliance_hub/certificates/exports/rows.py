"""What the CSV and XLSX exports contain: the table's rows for the filters, all of them.

``export_rows`` reads every matching assignment in the table's display order, a chunk at a
time (``QuerySet.iterator``), as plain tuples: no model instances, so a 200,000-row export
costs little more than the database's own output. ``matching_count`` counts them exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.urls import reverse

from compliance_hub.certificates.queries import FETCH, TableFilters, filtered_assignments
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
    sha256: str  # empty until the PDF is rendered
    link: str  # absolute address of the certificate in the portal, empty if none


def certificate_link_prefix(facility: Facility) -> str:
    """``https://hub.example/facilities/7/certificates/``: a number and ``/`` complete it."""
    path = reverse("certificates:table", kwargs={"facility_id": facility.pk})
    return f"{settings.SITE_URL}{path}"


def matching_count(
    facility: Facility, filters: TableFilters, *, longest: int | Any | None = FETCH
) -> int:
    """How many rows the export of ``filters`` has (exact; one COUNT query)."""
    return filtered_assignments(facility, filters, longest=longest).order_by().count()


def export_rows(
    facility: Facility,
    filters: TableFilters,
    *,
    longest: int | Any | None = FETCH,
    chunk_size: int = CHUNK_ROWS,
) -> Iterator[ExportRow]:
    """Every row matching ``filters``, in the table's order. The query runs on first use."""
    prefix = certificate_link_prefix(facility)
    qs = filtered_assignments(facility, filters, longest=longest).values_list(*_FIELDS)
    for name, effective, end, description, number, status, issued_at, sha256 in qs.iterator(
        chunk_size=chunk_size
    ):
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
