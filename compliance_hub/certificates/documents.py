"""Certificate PDFs: rendered once from the frozen snapshot, stored, served unchanged forever.

PLACEHOLDER: the real ACORD-25-style renderer replaces ``render_pdf``; the interface below
(ensure_rendered, open_pdf, render_pending, pdf_filename) is what views and workers use.
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.names import fold


def render_pdf(certificate: Certificate) -> bytes:
    """Render the certificate's PDF bytes from its snapshot (deterministic)."""
    from fpdf import FPDF

    snap = certificate.snapshot
    pdf = FPDF()
    pdf.set_creation_date(certificate.issued_at)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    lines = [
        "CERTIFICATE OF LIABILITY INSURANCE",
        f"Certificate {certificate.number}",
        f"Insured: {snap['insured']['name']}",
        f"Holder: {snap['holder']['name']}",
        f"Period: {snap['assignment']['effective_date']} to {snap['assignment']['end_date']}",
    ]
    for line in lines:
        pdf.cell(
            0, 8, line.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT"
        )
    return bytes(pdf.output())


def storage_path(certificate: Certificate) -> str:
    return f"certificates/{certificate.issued_at:%Y/%m}/{certificate.number}.pdf"


def ensure_rendered(certificate: Certificate) -> Certificate:
    """Render and store the PDF if that has not happened yet; return the fresh row."""
    if certificate.rendered_at is not None:
        return certificate
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.rendered_at is None:
            data = render_pdf(locked)
            name = default_storage.save(storage_path(locked), ContentFile(data))
            locked.pdf.name = name
            locked.sha256 = hashlib.sha256(data).hexdigest()
            locked.size = len(data)
            locked.rendered_at = timezone.now()
            locked.save(update_fields=["pdf", "sha256", "size", "rendered_at"])
    return locked


def open_pdf(certificate: Certificate) -> IO[bytes]:
    """Open the stored PDF for reading (rendering it first if needed)."""
    certificate = ensure_rendered(certificate)
    return default_storage.open(str(certificate.pdf.name), "rb")


def render_pending(limit: int = 100) -> int:
    """Render up to ``limit`` certificates that have no PDF yet. Returns how many."""
    done = 0
    for certificate in Certificate.objects.filter(rendered_at__isnull=True).order_by("id")[:limit]:
        ensure_rendered(certificate)
        done += 1
    return done


def pdf_filename(certificate: Certificate) -> str:
    """A meaningful, ASCII-safe download name: contractor, dates, number."""
    snap = certificate.snapshot
    name = "-".join(fold(snap["insured"]["name"]).split()) or "certificate"
    period = f"{snap['assignment']['effective_date']}_{snap['assignment']['end_date']}"
    return f"COI_{name}_{period}_{certificate.number}.pdf"
