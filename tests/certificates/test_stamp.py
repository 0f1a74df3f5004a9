"""The status stamp laid over an issued PDF: on every page, readable, the original untouched."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from compliance_hub.certificates import pdf
from compliance_hub.certificates.pdf.stamp import Stamp, original_sha256, stamp_pdf
from tests.certificates import samples

VOID = Stamp(
    word="VOID",
    line="VOID since Mar 31, 2026, 14:05 UTC: the assignment was cancelled",
    note="Copy of certificate CH-7K3M-9QXP, stamped by the hub: it evidences no current coverage.",
)


def pages_text(data: bytes) -> list[str]:
    return [
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    ]


def three_pages() -> bytes:
    """A plain three-page PDF: Letter, A4 and a landscape page."""
    document = FPDF(unit="pt")
    for number, size, orientation in ((1, "letter", "P"), (2, "A4", "P"), (3, "letter", "L")):
        document.add_page(format=size, orientation=orientation)
        document.set_font("helvetica", size=14)
        document.text(72, 300, f"Body text of page {number}")
    return bytes(document.output())


@pytest.fixture(scope="module")
def coi_v1() -> bytes:
    return pdf.render("coi-v1", samples.document())


def test_a_coi_v1_certificate_is_stamped_and_keeps_its_content(coi_v1):
    stamped = stamp_pdf(coi_v1, VOID)
    (text,) = pages_text(stamped)
    assert VOID.line in text
    assert "CH-7K3M-9QXP" in text and "CERTIFICATE OF LIABILITY INSURANCE" in text
    assert "José Nguyễn" in text  # the original's own (subset) fonts still extract
    assert original_sha256(stamped) == hashlib.sha256(coi_v1).hexdigest()
    assert stamped.startswith(coi_v1[:8]) and coi_v1[:8] >= b"%PDF-1.4"  # transparency: 1.4
    title = PdfReader(io.BytesIO(stamped)).metadata.title
    assert title.startswith("VOID: ")


def test_every_page_gets_the_stamp_whatever_its_size():
    original = three_pages()
    stamped = stamp_pdf(original, VOID)
    texts = pages_text(stamped)
    assert len(texts) == 3
    for number, text in enumerate(texts, start=1):
        assert VOID.line in text, number
        assert f"Body text of page {number}" in text
    sizes = [(p.mediabox.width, p.mediabox.height) for p in PdfReader(io.BytesIO(stamped)).pages]
    assert sizes == [
        (p.mediabox.width, p.mediabox.height) for p in PdfReader(io.BytesIO(original)).pages
    ]


def test_a_page_whose_origin_is_not_zero_is_stamped_inside_it():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(three_pages())))
    page = writer.pages[0]
    page.mediabox = RectangleObject([100, 200, 712, 992])
    out = io.BytesIO()
    writer.write(out)
    stamped = stamp_pdf(out.getvalue(), VOID)
    first = PdfReader(io.BytesIO(stamped)).pages[0]
    seen: list[float] = []

    def visitor(text, cm, tm, font, size):  # the stamp's line, where it is drawn
        if "VOID since" in text:
            seen.append(cm[5] + tm[5])

    first.extract_text(visitor_text=visitor)
    assert seen and all(200 < y < 992 for y in seen)


def test_stamping_is_deterministic_and_leaves_the_original_alone(coi_v1):
    before = bytes(coi_v1)
    first = stamp_pdf(coi_v1, VOID)
    assert stamp_pdf(coi_v1, VOID) == first  # one SHA-256 per copy: verification relies on it
    assert coi_v1 == before
    superseded = Stamp("SUPERSEDED", "SUPERSEDED on Apr 2, 2026, 09:00 UTC by CH-AAAA-BBBB")
    assert stamp_pdf(coi_v1, superseded) != first
    assert (
        "SUPERSEDED on Apr 2, 2026, 09:00 UTC by CH-AAAA-BBBB"
        in pages_text(stamp_pdf(coi_v1, superseded))[0]
    )


def test_a_long_line_is_shrunk_to_fit_and_non_latin_text_does_not_fail(coi_v1):
    long = Stamp("VOID", "VOID since Mar 31, 2026: " + "cancelled and withdrawn " * 12, "Nguyễn ✓")
    stamped = stamp_pdf(coi_v1, long)
    assert "VOID since Mar 31, 2026:" in pages_text(stamped)[0]


def test_qpdf_finds_the_stamped_file_clean(coi_v1, tmp_path):
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is needed (apt-get install qpdf)"
    path = tmp_path / "stamped.pdf"
    path.write_bytes(stamp_pdf(coi_v1, VOID))
    result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_a_file_without_the_record_has_no_original_hash(coi_v1):
    assert original_sha256(coi_v1) is None


def test_a_rotated_page_is_stamped_upright():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(three_pages())))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    stamped = PdfReader(io.BytesIO(stamp_pdf(out.getvalue(), VOID)))
    first = stamped.pages[0]
    assert first.rotation == 0  # the rotation is now in the content, under the stamp
    assert float(first.mediabox.width) > float(first.mediabox.height)  # shown landscape
    assert VOID.line in " ".join(first.extract_text().split())
