"""Certificate PDFs: rendered once from the frozen snapshot, stored, served unchanged forever.

Decision: the certificate row (number, snapshot, template version) is written at issue; its
PDF is rendered by the worker (``render-certificates``) or on first request, whichever comes
first, with the renderer of the certificate's ``template_version``. The bytes are stored once
through Django's default storage and their SHA-256 and size recorded in the same
transaction; from then on they are never rendered again and ``open_pdf`` serves exactly the
stored bytes (checked against the recorded hash).
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Collection
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from compliance_hub.certificates import pdf
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.names import fold

log = logging.getLogger(__name__)

RENDERED_FIELDS = ("pdf", "sha256", "size", "rendered_at")


class CertificateIntegrityError(RuntimeError):
    """The stored file no longer matches the SHA-256 recorded when it was issued."""


def verify_url(certificate: Certificate) -> str:
    """The public verification address printed (and QR-encoded) on the certificate."""
    path = reverse("certificates:verify", args=[certificate.number, certificate.check_code])
    return f"{settings.SITE_URL}{path}"


def verify_form_url() -> str:
    return f"{settings.SITE_URL}{reverse('certificates:verify_form')}"


def document_for(certificate: Certificate) -> pdf.CertificateDocument:
    return pdf.CertificateDocument(
        number=certificate.number,
        check_code=certificate.check_code,
        issued_at=certificate.issued_at,
        snapshot=certificate.snapshot,
        verify_url=verify_url(certificate),
        verify_form_url=verify_form_url(),
    )


def render_pdf(certificate: Certificate) -> bytes:
    """Render the certificate's PDF from its snapshot with its own template version."""
    return pdf.render(certificate.template_version, document_for(certificate))


def storage_path(certificate: Certificate) -> str:
    return f"certificates/{certificate.issued_at:%Y/%m}/{certificate.number}.pdf"


def ensure_rendered(certificate: Certificate) -> Certificate:
    """Render and store the PDF unless that already happened; return the up-to-date row.

    Idempotent and safe under concurrency: the row is locked while rendering, so two
    simultaneous calls store one file. If storing fails nothing is recorded as rendered.
    """
    if certificate.rendered_at is not None:
        return certificate
    stored_name = ""
    try:
        with transaction.atomic():
            locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
            if locked.rendered_at is None:
                data = render_pdf(locked)
                stored_name = default_storage.save(storage_path(locked), ContentFile(data))
                locked.pdf.name = stored_name
                locked.sha256 = hashlib.sha256(data).hexdigest()
                locked.size = len(data)
                locked.rendered_at = timezone.now()
                locked.save(update_fields=list(RENDERED_FIELDS))
    except BaseException:
        if stored_name:  # stored but not recorded: remove the orphan (best effort)
            try:
                default_storage.delete(stored_name)
            except Exception:
                log.warning("Could not remove unrecorded certificate file %s", stored_name)
        raise
    for field in RENDERED_FIELDS:
        setattr(certificate, field, getattr(locked, field))
    return locked


def read_pdf(certificate: Certificate) -> bytes:
    """The stored PDF bytes (rendering first if needed), checked against the recorded hash."""
    certificate = ensure_rendered(certificate)
    with default_storage.open(str(certificate.pdf.name), "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != certificate.sha256:
        log.error("Stored PDF of certificate %s does not match its SHA-256", certificate.number)
        raise CertificateIntegrityError(f"Certificate {certificate.number}: stored file altered.")
    return data


def open_pdf(certificate: Certificate) -> IO[bytes]:
    """Open the stored PDF for reading (rendering it first if needed).

    Certificates are small (tens of KiB), so the file is read and verified in full: what
    is served always has the SHA-256 published on the verification page.
    """
    return io.BytesIO(read_pdf(certificate))


# Certificates rendered per transaction by ``render_pending``: their rows stay locked while
# they render and store, so a supersede or void of one of them waits at most this long.
RENDER_CHUNK = 25


def render_pending(
    limit: int = 100,
    *,
    skip: Collection[int] = (),
    failed: set[int] | None = None,
    among: QuerySet[Certificate] | None = None,
) -> int:
    """Render and store up to ``limit`` certificates that have no PDF yet; return how many.

    Works in small transactions (``RENDER_CHUNK``): the rows are locked (other workers skip
    them), each PDF is rendered and stored, then all are recorded at once. A certificate
    that fails to render or store is logged (and its id added to ``failed``) and does not
    stop the others; ids in ``skip`` (for example those that failed recently) are left out,
    and ``among`` restricts the work to some certificates (default: all).
    """
    excluded = set(skip)
    attempted = done = 0
    while attempted < limit:
        want = min(RENDER_CHUNK, limit - attempted)
        chunk_failed: set[int] = set()
        picked, rendered = _render_chunk(want, excluded, chunk_failed, among)
        attempted += picked
        done += rendered
        excluded |= chunk_failed
        if failed is not None:
            failed |= chunk_failed
        if picked < want:
            break
    return done


def _render_chunk(
    size: int,
    excluded: set[int],
    failed: set[int],
    among: QuerySet[Certificate] | None,
) -> tuple[int, int]:
    """One transaction of ``render_pending``: returns (certificates picked, rendered)."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            pool = among if among is not None else Certificate.objects.all()
            pending = pool.filter(rendered_at__isnull=True)
            if excluded:
                pending = pending.exclude(pk__in=list(excluded))
            locked = pending.select_for_update(skip_locked=True, of=("self",))
            batch = list(locked.order_by("id")[:size])
            done: list[Certificate] = []
            for certificate in batch:
                try:
                    data = render_pdf(certificate)
                    name = default_storage.save(storage_path(certificate), ContentFile(data))
                except Exception:
                    log.exception("Could not render certificate %s", certificate.number)
                    failed.add(certificate.pk)
                    continue
                stored.append(name)
                certificate.pdf.name = name
                certificate.sha256 = hashlib.sha256(data).hexdigest()
                certificate.size = len(data)
                certificate.rendered_at = timezone.now()
                done.append(certificate)
            _record_rendered(done)
    except BaseException:
        for name in stored:  # stored but not recorded: remove the orphans (best effort)
            try:
                default_storage.delete(name)
            except Exception:
                log.warning("Could not remove unrecorded certificate file %s", name)
        raise
    if done:  # recorded (committed, outside a caller's transaction) once, by this process
        log.info("rendered %d certificates: %s", len(done), " ".join(str(c.pk) for c in done))
    return len(batch), len(done)


def _record_rendered(certificates: list[Certificate]) -> None:
    """Record many rendered PDFs with one prepared UPDATE, executed per row (``bulk_update``
    would build a CASE expression per row and field).

    The rows are locked by the caller's ``SELECT ... FOR UPDATE`` of unrendered rows, so
    nothing else can have recorded a PDF for them since: the statement matches the primary
    key alone. (Adding ``rendered_at IS NULL`` lets PostgreSQL, with statistics that predate
    a large import and so believe no row is unrendered, scan the whole partial "unrendered"
    index for every row.) Every row must match.
    """
    if not certificates:
        return
    ops = connection.ops
    name = ops.quote_name
    # Identifiers are quoted by the database backend; every value is a parameter.
    assignments = ", ".join(f"{name(field)} = %s" for field in ("pdf", "sha256", "size"))
    sql = (
        f"UPDATE {name(Certificate._meta.db_table)} SET {assignments}, "  # noqa: S608
        f"{name('rendered_at')} = %s WHERE {name('id')} = %s"
    )
    rows = [
        (c.pdf.name, c.sha256, c.size, ops.adapt_datetimefield_value(c.rendered_at), c.pk)
        for c in certificates
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        if cursor.rowcount not in (-1, len(rows)):
            raise RuntimeError("A certificate vanished while its PDF was recorded: nothing saved.")


def pdf_filename(certificate: Certificate) -> str:
    """A meaningful, ASCII-safe download name: contractor, dates, number."""
    snap = certificate.snapshot
    name = "-".join(fold(snap["insured"]["name"]).split()) or "certificate"
    period = f"{snap['assignment']['effective_date']}_{snap['assignment']['end_date']}"
    return f"COI_{name}_{period}_{certificate.number}.pdf"
