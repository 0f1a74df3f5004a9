"""The bulk download: every certificate matching the filters, one ZIP, streamed as it is built.

Members, in the table's display order: one PDF per matching row (its current certificate,
void ones included when the filters include them), then ``index.csv`` (one line per row:
contractor, dates, number, status, SHA-256, file name, and a note when a PDF could not be
included) and ``README.txt`` (facility, filters in words, who exported it and when, counts).

The archive is written by ``stream_zip``: members STORED with their CRC-32 and size in the
local header (readable by any unzipper, streaming ones included), ZIP64 records throughout.
Memory stays flat: rows are read a chunk at a time, each PDF is checked against its SHA-256
before any of its bytes are sent (a certificate up to ``BUFFER_LIMIT`` is read once and kept
in memory; a larger file is read twice, to check it and then to send it), and ``index.csv``
is spooled to a temporary file. Certificates whose PDF was never rendered are rendered on the
way, a batch of rows at a time (``pdfs.render_missing``, as for the CSV and XLSX exports): their
files and hashes are stored and recorded, exactly as on a first single download. A void
certificate is included as its copy stamped VOID on every page (``certificates.copies``),
named ``…-VOID.pdf``; its index line gives that file's SHA-256 and, in the note, the issued
PDF's.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import tempfile
import zlib
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from stream_zip import MemberFile

from compliance_hub.certificates import copies
from compliance_hub.certificates.exports import archive
from compliance_hub.certificates.exports.csv_export import BOM, CHUNK, TextBuffer
from compliance_hub.certificates.exports.filenames import UniqueNames, certificate_member
from compliance_hub.certificates.exports.pdfs import (
    Stored,
    batches,
    read_verified,
    render_missing,
    stored_chunks,
    verified_crc32,
)
from compliance_hub.certificates.exports.rows import STATUS_WORDS
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.queries import TableFilters, filtered_assignments
from compliance_hub.core.text import neutralise_bidi
from compliance_hub.core.text import spreadsheet_cell as neutralise
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
# A void certificate is in the archive as its copy stamped VOID on every page; the SHA-256
# column is that file's, and the note gives the issued PDF's (the one verification checks).
STAMPED_NOTE = (
    "Copy stamped {word} on every page: no longer valid. SHA-256 of the PDF as issued: {sha256}"
)

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


def _member(name: str, sha256: str, size: int, member: str, modified: datetime) -> MemberFile:
    """The stored PDF as a member: its SHA-256 is checked before any of its bytes is sent."""
    if size <= BUFFER_LIMIT:
        return archive.stored(member, read_verified(name, sha256), modified)
    # Read twice: once to check, once to send (``stream_zip`` checks the CRC-32 again).
    crc = verified_crc32(name, sha256)
    return archive.stored_chunks(member, stored_chunks(name), size, crc, modified)


def _stamped(certificate_id: int, member: str, modified: datetime) -> tuple[MemberFile, str]:
    """A void certificate's copy stamped VOID (``certificates.copies``) and its SHA-256."""
    data = copies.stamped_pdf(Certificate.objects.get(pk=certificate_id))
    return archive.stored(member, data, modified), hashlib.sha256(data).hexdigest()


def _members(
    request: BulkRequest, modified: datetime, index: IndexFile, counts: _Counts
) -> Iterator[MemberFile]:
    """Each matching row's PDF as a ``stream_zip`` member; each row noted in ``index``.

    Rows are read a batch at a time; the batch's certificates without a PDF are rendered
    first (``pdfs.render_missing``, as for every export).
    """
    names = UniqueNames()
    qs = filtered_assignments(request.facility, request.filters)
    for batch in batches(qs.values_list(*_FIELDS).iterator(chunk_size=CHUNK_ROWS)):
        rendered = render_missing(row[5] for row in batch if row[5] and row[11] is None)
        for row in batch:
            entry = _member_of(row, rendered, names, modified, index, counts)
            if entry is not None:
                yield entry


def _member_of(
    row: tuple[Any, ...],
    rendered: dict[int, Stored],
    names: UniqueNames,
    modified: datetime,
    index: IndexFile,
    counts: _Counts,
) -> MemberFile | None:
    """One row: its member (None if it has none) and its line of ``index.csv``."""
    contractor, first, last, effective, end, cert_id, number, status, sha256 = row[:9]
    name, size, rendered_at = row[9:]
    counts.rows += 1
    cells = [contractor, effective.isoformat(), end.isoformat(), number or ""]
    if cert_id is None:
        counts.not_issued += 1
        index.add([*cells, STATUS_WORDS[None], "", "", NOT_ISSUED])
        return None
    status_word = STATUS_WORDS.get(status, status)
    note = ""
    try:
        if rendered_at is None:
            name, sha256, size = rendered[cert_id]  # KeyError: it could not be rendered
        member = certificate_member(first, last, effective, end, number)
        if status in copies.SUFFIXES:
            suffix = copies.SUFFIXES[status]
            member = names.claim(f"{member.removesuffix('.pdf')}-{suffix}.pdf")
            entry, file_sha256 = _stamped(cert_id, member, modified)
            note = STAMPED_NOTE.format(word=suffix, sha256=sha256)
        else:
            member = names.claim(member)
            entry, file_sha256 = _member(name, sha256, size, member, modified), sha256
    except Exception:
        log.exception("Bulk download: certificate %s left out", number)
        counts.not_included += 1
        index.add([*cells, status_word, sha256 or "", "", NOT_INCLUDED])
        return None
    counts.included += 1
    index.add([*cells, status_word, file_sha256, member, note])
    return entry


def readme(request: BulkRequest, counts: _Counts) -> str:
    """README.txt: what the archive holds and how to check it (no bidi controls)."""
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
        "of the certificate's PDF and its file name in this archive. A void certificate is",
        "included as a copy stamped VOID on every page (its file name ends in -VOID.pdf); its",
        "note gives the SHA-256 of the PDF as issued, which the verification page checks.",
        "",
        "Each certificate states its number and a verification code. Anyone can confirm that",
        f"a certificate is genuine and current at {verify}",
        "The SHA-256 shows that a file is exactly the one that was issued.",
    ]
    return neutralise_bidi("\r\n".join(lines) + "\r\n")


# Bytes handed to the server at a time: a write per megabyte, not one per member.
WRITE_SIZE = 1024 * 1024


def stream_bulk_zip(request: BulkRequest) -> Iterator[bytes]:
    """The archive's bytes, produced as the rows are read, about a megabyte at a time."""
    return archive.stream(_archive(request), WRITE_SIZE)


def _archive(request: BulkRequest) -> Generator[MemberFile, None, None]:
    modified = timezone.localtime(request.moment)
    index = IndexFile()
    counts = _Counts()
    try:
        yield from _members(request, modified, index, counts)
        crc, size = index.finish()
        yield archive.stored_chunks(INDEX_NAME, index.chunks(), size, crc, modified)
        yield archive.stored(README_NAME, readme(request, counts).encode("utf-8"), modified)
    finally:
        index.close()
