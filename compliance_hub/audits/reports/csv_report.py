"""The report as CSV (UTF-8 with BOM, so Excel reads accents right)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from compliance_hub.audits.models import Reconciliation
from compliance_hub.audits.reports.rows import HEADERS, report_rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def csv_chunks(reconciliation: Reconciliation, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The CSV report in chunks of bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for count, row in enumerate(report_rows(reconciliation), start=1):
        writer.writerow([_text(v) for v in row.values()])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
