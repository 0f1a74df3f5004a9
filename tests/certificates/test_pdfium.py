"""Chromium's PDF viewer (issue 23): a coi-v2 certificate and its VOID-stamped copy, as PDFium
(the engine of that viewer, through pypdfium2) draws and reads them, and headless Chromium
showing a void certificate from the hub in its viewer. The other renderers (poppler, MuPDF,
Ghostscript) and qpdf are checked in test_pdf_renderer_v2.py."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import pypdfium2 as pdfium
import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageChops
from playwright.sync_api import sync_playwright

from compliance_hub.certificates import documents, services
from compliance_hub.certificates.pdf import render
from compliance_hub.certificates.pdf.stamp import stamp_pdf
from tests import factories
from tests.certificates.samples import EN_DASH, document, flat, snapshot_v2
from tests.certificates.test_stamp import VOID, three_pages

DPI = 100
SCALE = DPI / 72  # PDF points to pixels
LETTER = (round(8.5 * DPI), round(11 * DPI))  # 850 x 1100 pixels


@dataclass(frozen=True)
class Page:
    """One page as PDFium draws it (a bitmap) and reads it (its text, whitespace flattened)."""

    image: Image.Image
    text: str

    def share(self, mask: Image.Image) -> float:
        """The share of the page's pixels a 0/255 mask selects."""
        return mask.histogram()[255] / (self.image.width * self.image.height)

    def ink(self) -> float:
        """The share of pixels that are not (near) white."""
        return self.share(self.image.convert("L").point(lambda v: 255 if v < 250 else 0))

    def red(self) -> float:
        """The share of clearly red pixels: the stamp's colour; the certificate has none."""
        return red_share(self.image)


def red_share(image: Image.Image) -> float:
    """The share of an RGB image's pixels that are clearly red (the stamp's status line and
    frame; not the pale large word, nor the colour fringes of anti-aliased black text)."""
    r, g, b = image.split()
    strong = r.point(lambda v: 255 if v > 150 else 0)
    weak_g = g.point(lambda v: 255 if v < 80 else 0)
    weak_b = b.point(lambda v: 255 if v < 80 else 0)
    red = ImageChops.multiply(ImageChops.multiply(strong, weak_g), weak_b)
    return red.histogram()[255] / (image.width * image.height)


def pdfium_pages(data: bytes) -> list[Page]:
    """Every page of ``data`` rendered at DPI and its text extracted, both by PDFium."""
    pages = []
    document_ = pdfium.PdfDocument(data)  # raises PdfiumError if PDFium cannot open it
    try:
        for page in document_:
            bitmap = page.render(scale=SCALE)
            textpage = page.get_textpage()
            pages.append(Page(bitmap.to_pil().convert("RGB"), flat(textpage.get_text_bounded())))
            textpage.close()
            bitmap.close()
            page.close()
    finally:
        document_.close()
    return pages


@pytest.fixture(scope="module")
def certificate() -> bytes:
    return render("coi-v2", document(snapshot_v2()))


@pytest.fixture(scope="module")
def void_copy(certificate) -> bytes:
    return stamp_pdf(certificate, VOID)


def test_pdfium_draws_the_certificate_as_one_filled_letter_page(certificate):
    (page,) = pdfium_pages(certificate)
    assert page.image.size == LETTER
    assert page.ink() > 0.05  # a drawn certificate, not a blank page
    assert page.red() == 0


def test_pdfium_reads_the_key_fields_of_the_certificate(certificate):
    (page,) = pdfium_pages(certificate)
    assert "CERTIFICATE OF LIABILITY INSURANCE" in page.text
    assert "INSURED José Nguyễn 14 Elm Court" in page.text  # accents from the embedded font
    assert "St. Łukasz Memorial Hospital" in page.text
    assert f"COVERAGE PERIOD OF THIS ASSIGNMENT 03/01/2026 {EN_DASH} 03/05/2026" in page.text
    assert "GL-2026-0042871 Term 01/01/2026 to 01/01/2027" in page.text
    assert "WC-55-1029" in page.text and "OA-771203" in page.text
    assert "CH-7K3M-9QXP" in page.text
    assert "VOID" not in page.text


def test_pdfium_draws_the_void_copy_with_its_red_stamp_over_the_certificate(certificate, void_copy):
    (original,) = pdfium_pages(certificate)
    (page,) = pdfium_pages(void_copy)
    assert page.image.size == LETTER
    assert page.ink() > original.ink()  # the certificate is still there, the stamp added
    assert page.red() > 0.003  # the red status line and frames are drawn


def test_pdfium_reads_the_void_line_and_the_certificate_under_it(void_copy):
    (page,) = pdfium_pages(void_copy)
    assert VOID.line in page.text
    assert VOID.note in page.text
    assert "INSURED José Nguyễn" in page.text
    assert "GL-2026-0042871" in page.text
    assert "COVERAGE PERIOD OF THIS ASSIGNMENT" in page.text


def test_pdfium_shows_the_stamp_on_every_page_whatever_its_size():
    pages = pdfium_pages(stamp_pdf(three_pages(), VOID))
    sizes = [page.image.size for page in pages]
    a4 = (math.ceil(595.28 * SCALE), math.ceil(841.89 * SCALE))  # a part pixel is drawn whole
    assert sizes == [LETTER, a4, LETTER[::-1]]
    for number, page in enumerate(pages, start=1):
        assert VOID.line in page.text, number
        assert f"Body text of page {number}" in page.text, number
        assert page.red() > 0.003, number


CHROMIUM = "/usr/bin/chromium"
# Chromium's built-in PDF viewer (PDFium inside an extension page).
PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"


@pytest.mark.browser
@pytest.mark.slow
def test_chromium_shows_a_void_copy_in_its_pdf_viewer_stamp_visible(
    live_server, transactional_db, media, facility
):
    assignment = factories.assignment(facility)
    assignment.refresh_from_db()
    certificate = documents.ensure_rendered(assignment.current_certificate)
    services.cancel_assignment(assignment)
    certificate.refresh_from_db()
    member = factories.member(facility)
    client = Client()
    client.force_login(member)
    path = reverse("certificates:view", args=[facility.pk, certificate.number])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        downloads: list[str] = []
        page.on("download", lambda d: downloads.append(d.suggested_filename))
        response = page.goto(path)
        assert response is not None and response.status == 200
        # Shown, not downloaded: the viewer's frame is there, and it draws the red stamp.
        red = 0.0
        for _ in range(40):
            shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
            red = red_share(shot)
            if red > 0.001:
                break
            page.wait_for_timeout(250)
        viewers = [frame for frame in page.frames if frame.url.startswith(PDF_VIEWER)]
        assert viewers, page.frames
        assert red > 0.001, "no red stamp on screen"
        assert downloads == []
        shown = page.evaluate(
            "async () => Array.from(new Uint8Array("
            "await (await fetch(location.href)).arrayBuffer()))"
        )
        browser.close()
    (shown_page, *_) = pdfium_pages(bytes(shown))
    assert "VOID since" in shown_page.text and certificate.number in shown_page.text
