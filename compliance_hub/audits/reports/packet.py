"""The audit packet: README, the report (PDF, CSV, XLSX), a certificate list and, where the
partner enabled bulk download, every certificate the reconciliation relies on."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

from django.utils import timezone
from stream_zip import MemberFile

from compliance_hub.audits.models import Reconciliation, ReconciliationRow, Status
from compliance_hub.audits.reports.csv_report import csv_chunks
from compliance_hub.audits.reports.pdf_report import write_pdf
from compliance_hub.audits.reports.rows import basis_text, summary_lines
from compliance_hub.audits.reports.xlsx_report import write_xlsx
from compliance_hub.certificates import documents
from compliance_hub.certificates.exports import archive
from compliance_hub.certificates.models import Certificate
from compliance_hub.core.text import neutralise_bidi
from compliance_hub.core.text import spreadsheet_cell as neutralise

REPORT = "reconciliation-report"
WRITE_SIZE = 256 * 1024
_CHUNK = 500


def packet_name(reconciliation: Reconciliation) -> str:
    return f"audit-packet-{reconciliation.pk}-{reconciliation.created_at:%Y%m%d}.zip"


def relied_on(reconciliation: Reconciliation) -> list[int]:
    """Ids of the certificates cited by covered and partly covered rows, sorted."""
    ids: set[int] = set()
    rows = ReconciliationRow.objects.filter(
        reconciliation=reconciliation, status__in=[Status.COVERED, Status.PARTIAL]
    ).values_list("certificates", flat=True)
    for certificates in rows.iterator(chunk_size=2000):
        ids.update(int(c["id"]) for c in certificates)
    return sorted(ids)


def _certificates(ids: list[int]) -> Iterator[Certificate]:
    for i in range(0, len(ids), _CHUNK):
        yield from Certificate.objects.filter(id__in=ids[i : i + _CHUNK]).order_by("number")


def changed_since(ids: list[int]) -> int:
    """How many of the certificates are no longer current (superseded or void)."""
    return sum(
        Certificate.objects.filter(id__in=ids[i : i + _CHUNK])
        .exclude(status=Certificate.Status.ISSUED)
        .count()
        for i in range(0, len(ids), _CHUNK)
    )


def _readme(reconciliation: Reconciliation, included: bool, count: int, changed: int = 0) -> bytes:
    facility = reconciliation.facility
    lines = [
        "Audit packet - payment reconciliation",
        "",
        f"Facility:        {facility.name}",
        f"Reconciliation:  {reconciliation.pk}, run {reconciliation.created_at:%Y-%m-%d %H:%M} "
        f"UTC by {reconciliation.created_by_label}",
        f"Schedule file:   {reconciliation.file_name} ({reconciliation.row_count} rows, "
        f"SHA-256 {reconciliation.file_sha256})",
        f"Dates checked:   {basis_text(reconciliation.date_basis)}",
        f"Packet made:     {timezone.now():%Y-%m-%d %H:%M} UTC",
        "",
        "Totals:",
    ]
    for label, rows, amount in summary_lines(reconciliation):
        lines.append(f"  {label:<36} {rows:>8}  {float(amount):>16,.2f}")
    lines += [
        "",
        f"{REPORT}.pdf / .csv / .xlsx  the reconciliation, row by row",
        "certificates.csv                 the certificates the covered rows rely on",
    ]
    if included:
        lines.append(f"certificates/                    those {count} certificates as PDF")
    if changed:
        lines += [
            "",
            f"Note: {changed} of the {count} certificates have been superseded or voided since",
            "this reconciliation ran (see certificates.csv, column 'Status now'). Run a new",
            "reconciliation to check the payments against the current certificates.",
        ]
    if not included:
        lines += [
            "",
            "Certificate PDFs are not included: bulk download is not enabled for this",
            "facility. The staffing partner can enable it. Each certificate can still be",
            "viewed and downloaded one by one in the hub, by its number.",
        ]
    lines += [
        "",
        "Each certificate carries a verification address; anyone can confirm there that",
        "it is genuine and see whether it is still current.",
    ]
    return neutralise_bidi("\r\n".join(lines) + "\r\n").encode("utf-8")


_LIST_HEADERS = ["Certificate", "Contractor", "Effective", "End", "Status now", "SHA-256", "File"]


def _list_row(certificate: Certificate, file_name: str) -> list[str]:
    snap = certificate.snapshot
    return [
        certificate.number,
        neutralise(str(snap.get("insured", {}).get("name", ""))),
        snap.get("assignment", {}).get("effective_date", ""),
        snap.get("assignment", {}).get("end_date", ""),
        certificate.get_status_display(),
        certificate.sha256,
        file_name,
    ]


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while data := handle.read(64 * 1024):
            yield data


def _members(reconciliation: Reconciliation, include: bool) -> Generator[MemberFile, None, None]:
    """README, the reports and the certificate list, with the certificates where included.
    The reports are written to a temporary directory, each removed once it is sent."""
    modified = timezone.localtime()
    ids = relied_on(reconciliation)
    readme = _readme(reconciliation, include, len(ids), changed_since(ids))
    yield archive.deflated("README.txt", iter([readme]), modified)
    yield archive.deflated(f"{REPORT}.csv", csv_chunks(reconciliation), modified)
    with tempfile.TemporaryDirectory(prefix="hub-packet-") as directory:
        for name, writer in ((f"{REPORT}.xlsx", write_xlsx), (f"{REPORT}.pdf", write_pdf)):
            path = Path(directory) / name
            writer(reconciliation, path)
            yield archive.deflated(name, _file_chunks(path), modified)
            path.unlink()  # sent: the archive asks for the next member only after the last
        listing = Path(directory) / "certificates.csv"
        with listing.open("w", encoding="utf-8", newline="") as handle:
            handle.write("\ufeff")
            out = csv.writer(handle, lineterminator="\r\n")
            out.writerow(_LIST_HEADERS)
            used: set[str] = set()
            for certificate in _certificates(ids):
                file_name = ""
                if include:
                    data = documents.read_pdf(certificate)  # checked against its SHA-256
                    file_name = _unique(f"certificates/{documents.pdf_filename(certificate)}", used)
                    yield archive.stored(file_name, data, modified)
                out.writerow(_list_row(certificate, file_name))
        yield archive.deflated(listing.name, _file_chunks(listing), modified)


def stream_packet(reconciliation: Reconciliation, include_certificates: bool) -> Iterator[bytes]:
    """The packet as a stream of ZIP bytes, built as it is sent."""
    return archive.stream(_members(reconciliation, include_certificates), WRITE_SIZE)


def _unique(name: str, used: set[str]) -> str:
    candidate, counter = name, 1
    while candidate in used:
        counter += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem}-{counter}.{ext}" if dot else f"{name}-{counter}"
    used.add(candidate)
    return candidate
