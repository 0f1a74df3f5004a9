"""A status stamp laid over every page of an existing PDF: the copy of a certificate that is
no longer valid.

The issued PDF is never re-rendered or changed: its pages are copied as they are (pypdf) and
each gets an overlay drawn with fpdf2 on top: a band along the top edge with the status line
(``VOID since …: …`` / ``SUPERSEDED on … by …``), a band along the bottom edge with a note,
and the status word large and translucent across the page. The overlay depends on the page
size only, so it works for every template version. The stamped file records the SHA-256 of
the file it was made from in its document information (``/ComplianceHubOriginalSHA256``)
and prefixes the title with the status word.

Same input, same bytes (a test holds it): the overlay carries a fixed date and nothing else
varies, so a stamped copy has one SHA-256, which the verification page can publish beside
the original's.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from fpdf import FPDF
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject, TextStringObject

# Information-dictionary keys of a stamped copy.
ORIGINAL_SHA256_KEY = "/ComplianceHubOriginalSHA256"
STAMP_KEY = "/ComplianceHubStamp"
# The overlay's own creation date: fixed, so that stamping is deterministic.
_FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_RED = (178, 0, 0)


@dataclass(frozen=True)
class Stamp:
    """What is stamped: ``word`` large across the page, ``line`` at the top, ``note`` below."""

    word: str  # "VOID", "SUPERSEDED"
    line: str  # "VOID since Mar 31, 2026, 14:05 UTC: the assignment was cancelled"
    note: str = ""  # a smaller second line


def _latin1(text: str) -> str:
    """The core PDF fonts cover Latin-1; anything else becomes ``?`` (stamps are ASCII)."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _fit(pdf: FPDF, text: str, width: float, size: float, style: str) -> float:
    """The largest font size up to ``size`` at which ``text`` fits in ``width`` points."""
    pdf.set_font("helvetica", style, size)
    measured = pdf.get_string_width(text)
    return size if measured <= width else max(4.0, size * width / measured)


def overlay(width: float, height: float, stamp: Stamp) -> bytes:
    """A one-page PDF of ``width`` by ``height`` points holding only the stamp."""
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    word, line, note = _latin1(stamp.word), _latin1(stamp.line), _latin1(stamp.note)

    # The status word, large and translucent, diagonally across the page.
    diagonal = (width**2 + height**2) ** 0.5
    size = _fit(pdf, word, diagonal * 0.7, 140, "B")
    pdf.set_font("helvetica", "B", size)
    angle = 54.7 if height > width else 35.3
    with (
        pdf.local_context(fill_opacity=0.14, text_color=_RED),
        pdf.rotation(angle=angle, x=width / 2, y=height / 2),
    ):
        text_width = pdf.get_string_width(word)
        pdf.text(width / 2 - text_width / 2, height / 2 + size * 0.35, word)

    # Two bands, white and outlined in red, above whatever is there: the status line along
    # the top edge, the note along the bottom edge (where page margins usually are).
    edge, band = 4.0, 18.0
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(*_RED)
    pdf.set_line_width(1.2)
    pdf.set_text_color(*_RED)
    inner = width - 2 * edge - 12
    pdf.rect(edge, edge, width - 2 * edge, band, style="DF")
    size = _fit(pdf, line, inner, 11, "B")
    pdf.text(edge + 6, edge + band / 2 + size * 0.35, line)
    if note:
        top = height - edge - band
        pdf.rect(edge, top, width - 2 * edge, band, style="DF")
        size = _fit(pdf, note, inner, 7.5, "")
        pdf.text(edge + 6, top + band / 2 + size * 0.35, note)
    return bytes(pdf.output())


def stamp_pdf(original: bytes, stamp: Stamp) -> bytes:
    """``original`` with ``stamp`` over every page; the original's bytes are not altered."""
    reader = PdfReader(io.BytesIO(original))
    writer = PdfWriter(clone_from=reader)
    # The original's version, at least 1.4: the translucent word needs transparency.
    version = reader.pdf_header[5:8] if reader.pdf_header.startswith("%PDF-1.") else "1.4"
    writer.pdf_header = f"%PDF-{max(version, '1.4')}"
    overlays: dict[tuple[float, float], PageObject] = {}
    for page in writer.pages:
        if page.rotation:  # a rotated page: stamp it as it is shown, upright
            page.transfer_rotation_to_content()
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in overlays:
            overlays[size] = PdfReader(io.BytesIO(overlay(*size, stamp))).pages[0]
        # Placed at the page's own origin (not always 0,0).
        origin = Transformation().translate(float(box.left), float(box.bottom))
        page.merge_transformed_page(overlays[size], origin)
    title = ""
    if reader.metadata is not None and reader.metadata.title:
        title = str(reader.metadata.title)
    info = {
        "/Title": f"{stamp.word}: {title}" if title else stamp.word,
        STAMP_KEY: stamp.line,
        ORIGINAL_SHA256_KEY: hashlib.sha256(original).hexdigest(),
    }
    writer.add_metadata({NameObject(k): TextStringObject(v) for k, v in info.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def original_sha256(stamped: bytes) -> str | None:
    """The SHA-256 of the file a stamped copy was made from, as recorded in it (else None).

    A record, not a proof: anyone can write it into any file. Trust a stamped copy by its
    own SHA-256 (see ``certificates.copies``).
    """
    metadata = PdfReader(io.BytesIO(stamped)).metadata
    if metadata is None:
        return None
    value = metadata.get(ORIGINAL_SHA256_KEY)
    return str(value) if value else None
