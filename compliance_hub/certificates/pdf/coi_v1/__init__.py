"""Certificate template ``coi-v1``: a one-page certificate of liability insurance.

In the spirit of the ACORD 25 form (our own design and wording): title and information-only
notice, issue date and number, producer and contact, insured, insurers A-F with NAIC numbers,
the coverage table dated to the assignment, description of the assignment, certificate
holder, cancellation clause, and a verification block with a QR code.

Frozen: certificates issued as ``coi-v1`` are rendered by this package. Do not change what it
draws; a new design is a new module (see ``pdf/__init__.py``).

Everything must fit on one page: the variable parts (names, description, coverage lines)
are laid out at the largest of a few densities that fits (``page.DENSITIES``), wrapping and
finally clipping.
"""

from __future__ import annotations

from compliance_hub.certificates.pdf import CertificateDocument
from compliance_hub.certificates.pdf.coi_v1.page import DENSITIES, VERSION, Page
from compliance_hub.certificates.pdf.layout import Canvas

__all__ = ["VERSION", "render", "render_page"]


def render(doc: CertificateDocument) -> bytes:
    """The certificate's PDF bytes (deterministic for the same document)."""
    return render_page(doc, Page)


def render_page(doc: CertificateDocument, page_class: type[Page]) -> bytes:
    """``doc`` laid out by ``page_class`` (this template's ``Page`` or a later subclass)."""
    canvas = Canvas(
        created=doc.issued_at,
        title=f"Certificate of Liability Insurance {doc.number}",
        subject=f"Certificate of insurance {doc.number} for "
        f"{(doc.snapshot.get('insured') or {}).get('name', '')}",
        creator=f"Compliance Hub ({page_class.version})",
    )
    page = page_class(canvas, doc)
    if page_class.measure_first:
        # Find the density without drawing (no QR code, no glyph encoding), then draw once.
        for density in DENSITIES:
            page.density = density
            page.dropped_rows = 0
            if page.layout() <= page.bottom:
                break
        page.dropped_rows = 0
        page.draw = True
        canvas.reset()
        page.layout()
        return canvas.output()
    page.draw = True  # coi-v1: draws each density it tries (its bytes are frozen as they are)
    for density in DENSITIES:  # the largest type that fits; the smallest always fits
        canvas.reset()
        page.density = density
        page.dropped_rows = 0
        if page.layout() <= page.bottom:
            break
    return canvas.output()
