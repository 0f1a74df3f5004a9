"""What a person gets for a certificate that is no longer valid: a stamped copy.

Rule: a void or superseded certificate never leaves the portal looking like a current one.
Viewing or downloading it (one PDF, or the bulk ZIP) gives a copy of the issued PDF with its
status stamped on every page (``pdf.stamp``) and ``-VOID``/``-SUPERSEDED`` in its file name.
The original as issued stays available, on its own clearly labelled link of the history
page; its SHA-256 is the one the verification page publishes and checks.

A stamped copy is made from the stored bytes on request, and always the same bytes for the
same certificate and status, so the verification page can recognise one by its own SHA-256
(``stamped_sha256``, kept in the cache once computed). The copy also records the original's
SHA-256 in its document information, for whoever inspects it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.pdf.stamp import Stamp, stamp_pdf
from compliance_hub.core import shared_cache
from compliance_hub.core.dates import human_date

# Part of every stamped copy's identity (ETag, cache key): a new stamp design is a new version.
STAMP_VERSION = 1
VOID_REASON = "the assignment was cancelled"
# Status value -> the word stamped and added to the file name.
SUFFIXES: dict[str, str] = {
    Certificate.Status.VOID.value: "VOID",
    Certificate.Status.SUPERSEDED.value: "SUPERSEDED",
}


def is_stamped(certificate: Certificate) -> bool:
    """Whether the certificate is served as a stamped copy (void or superseded)."""
    return certificate.status in SUFFIXES


def _moment(value: datetime | None) -> str:
    """``Mar 31, 2026, 14:05 UTC``."""
    if value is None:
        return "an unrecorded date"
    moment = value.astimezone(UTC)
    return f"{human_date(moment.date())}, {moment:%H:%M} UTC"


def successor_number(certificate: Certificate) -> str | None:
    """The number of the certificate that superseded this one, if any."""
    return (
        Certificate.objects.filter(supersedes_id=certificate.pk)
        .values_list("number", flat=True)
        .first()
    )


def stamp_for(certificate: Certificate) -> Stamp:
    """The stamp of a void or superseded certificate (``is_stamped``)."""
    if certificate.status == Certificate.Status.VOID:
        line = f"VOID since {_moment(certificate.voided_at)}: {VOID_REASON}"
    else:
        successor = successor_number(certificate)
        by = f" by {successor}" if successor else ""
        line = f"SUPERSEDED on {_moment(certificate.superseded_at)}{by}: no longer valid"
    note = (
        f"Copy of certificate {certificate.number}, stamped by the hub: it evidences no current "
        f"coverage. The PDF as issued has SHA-256 {certificate.sha256}."
    )
    return Stamp(word=SUFFIXES[certificate.status], line=line, note=note)


def stamped_pdf(certificate: Certificate) -> bytes:
    """The stamped copy: the stored PDF (checked against its SHA-256) with the stamp on it."""
    original = documents.read_pdf(certificate)
    return stamp_pdf(original, stamp_for(certificate))


def etag(certificate: Certificate) -> str:
    """The ETag of what ``view``/``download`` serve for the certificate (rendered)."""
    if not is_stamped(certificate):
        return f'"{certificate.sha256}"'
    return f'"{certificate.sha256}-{certificate.status}-s{STAMP_VERSION}"'


def _cache_key(certificate: Certificate) -> str:
    return f"certificate-copy:{STAMP_VERSION}:{certificate.pk}:{certificate.status}"


def remember(certificate: Certificate, data: bytes) -> str:
    """Note the SHA-256 of a stamped copy just made; returns it."""
    digest = hashlib.sha256(data).hexdigest()
    shared_cache.set(_cache_key(certificate), f"{certificate.sha256}:{digest}", timeout=None)
    return digest


def stamped_sha256(certificate: Certificate) -> str | None:
    """The SHA-256 of the certificate's stamped copy (None for a current certificate)."""
    if not is_stamped(certificate) or not certificate.sha256:
        return None
    known = shared_cache.get(_cache_key(certificate))
    if isinstance(known, str) and known.startswith(f"{certificate.sha256}:"):
        return known.split(":", 1)[1]
    return remember(certificate, stamped_pdf(certificate))


def filename(certificate: Certificate) -> str:
    """The download name: the original's, with ``-VOID``/``-SUPERSEDED`` for a stamped copy."""
    name = documents.pdf_filename(certificate)
    if not is_stamped(certificate):
        return name
    return f"{name.removesuffix('.pdf')}-{SUFFIXES[certificate.status]}.pdf"


def original_filename(certificate: Certificate) -> str:
    """The original as issued, named so that it cannot be mistaken for a current copy."""
    name = documents.pdf_filename(certificate)
    if not is_stamped(certificate):
        return name
    return f"{name.removesuffix('.pdf')}-{SUFFIXES[certificate.status]}-original-as-issued.pdf"
