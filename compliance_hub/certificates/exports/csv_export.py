"""The table as CSV, streamed: UTF-8 with a byte order mark (so Excel reads the accents),
RFC 4180 quoting and line ends, every text cell neutralised against formula injection.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from compliance_hub.certificates.exports.rows import HEADERS, ExportRow
from compliance_hub.certificates.exports.safe import neutralise

CHUNK = 64 * 1024
BOM = "\ufeff"


class TextBuffer:
    """What a ``csv.writer`` wrote since the last ``take``, as UTF-8 bytes."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self.size += len(text)
        return len(text)

    def take(self) -> bytes:
        data = "".join(self._parts).encode("utf-8")
        self._parts.clear()
        self.size = 0
        return data


def csv_cells(row: ExportRow) -> tuple[str, ...]:
    """One row as CSV text: ISO dates, ``YYYY-MM-DD HH:MM:SS`` UTC times, text defused."""
    return (
        neutralise(row.contractor),
        row.effective.isoformat(),
        row.end.isoformat(),
        neutralise(row.description),
        neutralise(row.number),
        row.status,
        f"{row.issued_at:%Y-%m-%d %H:%M:%S}" if row.issued_at is not None else "",
        row.sha256,
        row.link,
    )


def stream_csv(rows: Iterable[ExportRow]) -> Iterator[bytes]:
    """The CSV in chunks of about 64 KiB. The header comes first, before ``rows`` is read."""
    buffer = TextBuffer()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(HEADERS)
    yield buffer.take()
    for row in rows:
        writer.writerow(csv_cells(row))
        if buffer.size >= CHUNK:
            yield buffer.take()
    tail = buffer.take()
    if tail:
        yield tail
