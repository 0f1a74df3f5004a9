"""Starting an export or a bulk download: who may, how many rows, and the Activity record.

Decision (docs/exports.md): the Activity record is written when the download starts,
before the first byte, with the exact number of matching rows from one COUNT query. A
download the person abandons half-way is still on record, and a record never waits on a
stream that may take minutes or be cut off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.certificates.exports.filenames import export_filename
from compliance_hub.certificates.exports.rows import matching_count
from compliance_hub.certificates.exports.xlsx_export import MAX_ROWS, TooManyRows
from compliance_hub.certificates.queries import TableFilters
from compliance_hub.facilities.models import Facility

Kind = Literal["csv", "xlsx", "zip"]


class BulkDownloadDisabled(Exception):
    """The facility's staffing partner has not enabled bulk download."""


class NothingToExport(Exception):
    """No assignment matches the filters: an empty file would only mislead."""


@dataclass(frozen=True)
class ExportStart:
    """An export that may go ahead: its row count, time and file name."""

    facility: Facility
    filters: TableFilters
    kind: Kind
    count: int
    moment: datetime
    filename: str


def bulk_download_allowed(facility: Facility) -> bool:
    """Only the partner turns bulk download on, per facility (``bulk_download_enabled``)."""
    return facility.bulk_download_enabled


def begin_export(
    actor: Any,
    ip: str | None,
    facility: Facility,
    filters: TableFilters,
    kind: Kind,
    *,
    actor_label: str = "",
    extra: dict[str, Any] | None = None,
) -> ExportStart:
    """Check the export may run, count its rows and record it in Activity.

    ``actor`` (the person) asks from address ``ip``; the caller has checked their
    membership of ``facility``. Raises
    ``BulkDownloadDisabled`` (a ZIP where the partner has not enabled it) or
    ``TooManyRows`` (an XLSX beyond Excel's limit) or ``NothingToExport`` (no matching
    row) before anything is recorded.
    """
    if kind == "zip" and not bulk_download_allowed(facility):
        raise BulkDownloadDisabled(facility.pk)
    count = matching_count(facility, filters)
    if count == 0:
        raise NothingToExport(facility.pk)
    if kind == "xlsx" and count > MAX_ROWS:
        raise TooManyRows(f"{count:,} rows; an Excel worksheet holds at most {MAX_ROWS:,}.")
    moment = timezone.now()
    what = "certificates" if kind == "zip" else "assignments"
    filename = export_filename(facility.name, what, timezone.localtime(moment), kind)
    record(
        Activity.Verb.BULK_DOWNLOADED if kind == "zip" else Activity.Verb.EXPORTED,
        actor=actor,
        ip=ip,
        actor_label=actor_label,  # an auditor's names the firm (``Portal.recorded``)
        facility=facility,
        target=filename,
        detail={
            "format": kind,
            "filters": filters.as_querystring(),
            "rows": count,
            **(extra or {}),
        },
    )
    return ExportStart(facility, filters, kind, count, moment, filename)
