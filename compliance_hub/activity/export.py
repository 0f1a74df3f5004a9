"""The activity log as CSV, streamed row by row (constant memory, any size)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC

from django.db.models import QuerySet

from compliance_hub.activity.kinds import describe, headline
from compliance_hub.activity.models import Activity
from compliance_hub.core.text import spreadsheet_cell

HEADER = ["When (UTC)", "Who", "What", "Kind", "Concerning", "Facility", "Summary", "Details"]
CHUNK = 2000


def safe_cell(value: object) -> str:
    """The text of ``value`` as a spreadsheet cell that is never a formula."""
    return spreadsheet_cell("" if value is None else str(value))


def row(activity: Activity) -> list[str]:
    at = activity.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    facility = activity.facility.name if activity.facility_id and activity.facility else ""
    details = (
        json.dumps(activity.detail, sort_keys=True, ensure_ascii=False) if activity.detail else ""
    )
    return [
        safe_cell(value)
        for value in (
            at,
            activity.actor_label,
            headline(activity),
            activity.verb,
            activity.target,
            facility,
            describe(activity),
            details,
        )
    ]


def lines(qs: QuerySet[Activity]) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM so Excel reads the accents), one chunk per database batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    for count, activity in enumerate(qs.iterator(chunk_size=CHUNK), start=1):
        writer.writerow(row(activity))
        if count % 200 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
