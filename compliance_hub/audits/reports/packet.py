"""The audit packet: README, the report (PDF, CSV, XLSX), a certificate list and, where the
partner enabled bulk download, every certificate the reconciliation relies on."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

from django.utils import timezone
from stream_zip import MemberFile

from compliance_hub.activity.models import Activity
from compliance_hub.audits.exposure import LABEL
from compliance_hub.audits.models import Reconciliation
from compliance_hub.audits.reports.csv_report import csv_chunks
from compliance_hub.audits.reports.pdf_report import write_pdf
from compliance_hub.audits.reports.rows import (
    basis_text,
    certificates_of,
    estimate_lines,
    relied_on,
    summary_lines,
)
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
    if reconciliation.has_amounts:
        lines += ["", f"Exposure estimate ({LABEL.lower()}):"]
        lines += [f"  {label}: {value}" for label, value in estimate_lines(reconciliation)]
    lines += ["", "What this packet holds, in this order:"]
    lines += [f"  {name:<32} {what}" for name, what in contents(included, count)]
    if changed:
        lines += [
            "",
            f"Note: {changed} of the {count} certificates have been superseded or voided since",
            "this reconciliation ran (see certificates.csv, column 'Status now'). Run a new",
            "reconciliation to check the payments against the current certificates.",
        ]
    if not included and count:
        lines += [
            "",
            "Certificate PDFs are not in this packet: bulk download is not enabled for this",
            "facility (the staffing partner can enable it). certificates.csv lists them by",
            "number and SHA-256; each can be viewed and downloaded one by one in the hub.",
        ]
    lines += auditor_lines(reconciliation)  # issue 18: auditor access (section at the end)
    lines += [
        "",
        "Each certificate carries a verification address; anyone can confirm there that",
        "it is genuine and see whether it is still current.",
    ]
    return neutralise_bidi("\r\n".join(lines) + "\r\n").encode("utf-8")


def contents(included: bool, count: int) -> list[tuple[str, str]]:
    """(member name, what it is) of every member of the packet, in ZIP order; the
    certificate PDFs as one line ``certificates/``, only when they are included."""
    members = [
        ("README.txt", "this file"),
        (f"{REPORT}.csv", "the reconciliation, row by row (statuses, decisions, estimates)"),
        (f"{REPORT}.xlsx", "the same, as a workbook with a summary sheet"),
        (f"{REPORT}.pdf", "the report: summary, exceptions, certificates relied on, all rows"),
    ]
    if included and count:
        members.append(
            ("certificates/", f"{count} certificate PDF(s), named in certificates.csv, column File")
        )
    members.append(
        ("certificates.csv", f"the {count} certificate(s) the covered rows rely on, with SHA-256")
    )
    return members


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
            for certificate in certificates_of(ids):
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


# --- Auditor access (issue 18) ------------------------------------------------------------
# The README names each auditor the reconciliation was shared with (the grant, its audit
# period and expiry) and every download they made at the facility. Read through the grant's
# reverse relation and the activity log, so ``audits`` does not import ``auditors``.

AUDITOR_DOWNLOADS = (
    Activity.Verb.VIEWED,
    Activity.Verb.DOWNLOADED,
    Activity.Verb.BULK_DOWNLOADED,
    Activity.Verb.EXPORTED,
    Activity.Verb.AUDIT_PACKET,
)
MAX_AUDITOR_LINES = 1000


def auditor_lines(reconciliation: Reconciliation) -> list[str]:
    """README lines: the auditor grants this reconciliation is shared with, and every
    download by those auditors (none: no lines)."""
    grants = list(
        reconciliation.auditor_grants.select_related("granted_by").order_by("created_at", "id")
    )
    if not grants:
        return []
    lines = ["", "Auditor access (read-only, shared with this reconciliation):"]
    for grant in grants:
        state = f"until {grant.until_text}"
        if grant.revoked_at is not None:
            state += f", revoked {grant.revoked_at:%Y-%m-%d %H:%M} UTC"
        elif not grant.is_active:
            state += ", ended"
        lines += [
            f"  {grant.email} ({grant.firm}), audit period {grant.period_text}",
            f"    given by {grant.granter_name} on {grant.created_at:%Y-%m-%d %H:%M} UTC, {state}",
        ]
    downloads = Activity.objects.filter(
        facility_id=reconciliation.facility_id,
        verb__in=AUDITOR_DOWNLOADS,
        detail__auditor_grant__in=[g.pk for g in grants],
    ).order_by("at", "id")
    total = downloads.count()
    lines += ["", f"Downloads by these auditors ({total}):"]
    for activity in downloads[:MAX_AUDITOR_LINES]:
        lines.append(
            f"  {activity.at:%Y-%m-%d %H:%M} UTC  {activity.actor_label}  "
            f"{activity.get_verb_display()}  {activity.target}"
        )
    if total > MAX_AUDITOR_LINES:
        lines.append(
            f"  ... and {total - MAX_AUDITOR_LINES} more (see the facility's activity log)"
        )
    return lines
