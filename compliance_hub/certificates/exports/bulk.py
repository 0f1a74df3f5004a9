"""The bulk download: every certificate matching the filters, one ZIP, streamed as it is built.

Members, in the table's display order: one PDF per matching row (its current certificate,
void ones included when the filters include them), then ``index.csv`` (one line per row:
contractor, dates, number, status, SHA-256, file name, and a note when a PDF could not be
included) and ``README.txt`` (facility, filters in words, who exported it and when, counts).

Memory stays flat: rows are read a chunk at a time, each PDF is read from storage in chunks
and checked against its SHA-256 before its bytes are sent (certificates up to
``BUFFER_LIMIT``; a larger file is sent as it is read and the download is abandoned if its
hash then fails), and ``index.csv`` and the ZIP's central directory are spooled to temporary
files. A certificate whose PDF was never rendered is rendered on the way (its file and hash
are stored and recorded, exactly as on a first single download).
"""

from __future__ import annotations

import csv
import logging
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from compliance_hub.certificates import documents
from compliance_hub.certificates.exports.csv_export import BOM, CHUNK, TextBuffer
from compliance_hub.certificates.exports.filenames import UniqueNames, certificate_member
from compliance_hub.certificates.exports.pdfs import read_verified, stored_chunks
from compliance_hub.certificates.exports.rows import STATUS_WORDS
from compliance_hub.certificates.exports.safe import neutralise
from compliance_hub.certificates.exports.zipstream import ZipWriter, coalesce
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.queries import FETCH, TableFilters, filtered_assignments
from compliance_hub.facilities.models import Facility

log = logging.getLogger(__name__)

BUFFER_LIMIT = 8 * 1024 * 1024
CHUNK_ROWS = 500
INDEX_NAME = "index.csv"
README_NAME = "README.txt"
INDEX_HEADERS = (
    "Contractor",
    "Effective date",
    "End date",
    "Certificate number",
    "Status",
    "SHA-256",
    "File name",
    "Note",
)
NOT_ISSUED = "No certificate has been issued for this assignment yet."
NOT_INCLUDED = "Not included: the PDF could not be read. Download it from the hub or ask support."

_FIELDS = (
    "contractor_name",
    "contractor__first_name",
    "contractor__last_name",
    "effective_date",
    "end_date",
    "current_certificate_id",
    "current_certificate__number",
    "current_certificate__status",
    "current_certificate__sha256",
    "current_certificate__pdf",
    "current_certificate__size",
    "current_certificate__rendered_at",
)


@dataclass(frozen=True)
class BulkRequest:
    """What to put in the archive, and for the README who asked and when."""

    facility: Facility
    filters: TableFilters
    exported_by: str
    moment: datetime
    longest: Any = FETCH  # the facility's longest assignment, if the caller knows it


class IndexFile:
    """``index.csv`` written to a spooled temporary file, with its CRC-32 and size."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
        self._buffer = TextBuffer()
        self._writer = csv.writer(self._buffer)
        self.crc = 0
        self.size = 0
        self._buffer.write(BOM)
        self._writer.writerow(INDEX_HEADERS)

    def add(self, cells: Sequence[str]) -> None:
        self._writer.writerow([neutralise(cell) for cell in cells])
        if self._buffer.size >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        data = self._buffer.take()
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._file.write(data)

    def finish(self) -> tuple[int, int]:
        """Write out what is buffered; the file's (CRC-32, size). Call after the last ``add``."""
        self._flush()
        return self.crc, self.size

    def chunks(self) -> Iterator[bytes]:
        """Everything written, from the start (after ``finish``)."""
        self._file.seek(0)
        while chunk := self._file.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self._file.close()


@dataclass
class _Counts:
    rows: int = 0
    included: int = 0
    not_issued: int = 0
    not_included: int = 0


def _render(certificate_id: int) -> tuple[str, str, int]:
    """Render and store a certificate's PDF now; its (stored name, SHA-256, size)."""
    certificate = documents.ensure_rendered(Certificate.objects.get(pk=certificate_id))
    return str(certificate.pdf.name), certificate.sha256, certificate.size or 0


def _members(
    request: BulkRequest, writer: ZipWriter, index: IndexFile, counts: _Counts
) -> Iterator[bytes]:
    """Each matching row's PDF, added to ``writer``; each row noted in ``index``."""
    names = UniqueNames()
    qs = filtered_assignments(request.facility, request.filters, longest=request.longest)
    for row in qs.values_list(*_FIELDS).iterator(chunk_size=CHUNK_ROWS):
        contractor, first, last, effective, end, cert_id, number, status, sha256 = row[:9]
        name, size, rendered_at = row[9:]
        counts.rows += 1
        cells = [contractor, effective.isoformat(), end.isoformat(), number or ""]
        if cert_id is None:
            counts.not_issued += 1
            index.add([*cells, STATUS_WORDS[None], "", "", NOT_ISSUED])
            continue
        status_word = STATUS_WORDS.get(status, status)
        data: bytes | None = None
        try:
            if rendered_at is None:
                name, sha256, size = _render(cert_id)
            member = names.claim(certificate_member(first, last, effective, end, number))
            if size <= BUFFER_LIMIT:
                data = read_verified(name, sha256)  # checked before any of it is sent
        except Exception:
            log.exception("Bulk download: certificate %s left out", number)
            counts.not_included += 1
            index.add([*cells, status_word, sha256, "", NOT_INCLUDED])
            continue
        if data is not None:
            yield writer.add_bytes(member, data)
        else:  # larger than BUFFER_LIMIT: sent as read; a failed hash aborts the download
            yield from writer.add_stream(member, stored_chunks(name, sha256))
        counts.included += 1
        index.add([*cells, status_word, sha256, member, ""])


def readme(request: BulkRequest, counts: _Counts) -> str:
    """README.txt: what the archive holds and how to check it."""
    facility = request.facility
    filters = "; ".join(request.filters.describe()) or "none (every assignment at the facility)"
    verify = f"{settings.SITE_URL}{reverse('certificates:verify_form')}"
    lines = [
        f"Certificates of insurance: {facility.name}",
        f"Staffing partner: {facility.partner.name}",
        "",
        f"Exported from {settings.HUB_NAME} by {request.exported_by}",
        f"on {request.moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC.",
        f"Filters: {filters}.",
        "",
        f"Assignments matching the filters: {counts.rows}",
        f"Certificate PDFs in this archive: {counts.included}",
    ]
    if counts.not_issued:
        lines.append(f"Assignments without a certificate yet: {counts.not_issued}")
    if counts.not_included:
        lines.append(
            f"Certificates NOT included because their PDF could not be read: "
            f"{counts.not_included} (see the Note column of {INDEX_NAME})."
        )
    lines += [
        "",
        f"{INDEX_NAME} lists every matching assignment in the order of the table: contractor,",
        "effective and end dates, certificate number, status (Current or Void), the SHA-256",
        "of the certificate's PDF and its file name in this archive.",
        "",
        "Each certificate states its number and a verification code. Anyone can confirm that",
        f"a certificate is genuine and current at {verify}",
        "The SHA-256 shows that a file is exactly the one that was issued.",
    ]
    return "\r\n".join(lines) + "\r\n"


# Bytes handed to the server at a time: one socket write per ~25 certificates, not two each.
WRITE_SIZE = 1024 * 1024


def stream_bulk_zip(request: BulkRequest) -> Iterator[bytes]:
    """The archive's bytes, produced as the rows are read, about a megabyte at a time."""
    return coalesce(_archive(request), WRITE_SIZE)


def _archive(request: BulkRequest) -> Iterator[bytes]:
    writer = ZipWriter(timezone.localtime(request.moment))
    index = IndexFile()
    counts = _Counts()
    try:
        yield from _members(request, writer, index, counts)
        crc, size = index.finish()
        yield from writer.add_known(INDEX_NAME, index.chunks(), crc, size)
        yield writer.add_bytes(README_NAME, readme(request, counts).encode("utf-8"))
        yield from writer.finish()
    finally:
        index.close()
        writer.close()
