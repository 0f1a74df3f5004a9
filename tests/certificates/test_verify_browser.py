"""The verification page in a real browser: comparing a PDF file's SHA-256 without uploading it."""

import pytest
from playwright.sync_api import expect, sync_playwright

from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def certificate(transactional_db, media, facility) -> Certificate:
    assignment = factories.assignment(facility)
    assignment.refresh_from_db()
    assert assignment.current_certificate is not None
    return documents.ensure_rendered(assignment.current_certificate)


def test_a_visitor_compares_the_file_they_were_handed(live_server, certificate, tmp_path):
    genuine = tmp_path / "certificate.pdf"
    genuine.write_bytes(documents.read_pdf(certificate))
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(genuine.read_bytes().replace(b"/Title", b"/Titel", 1))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server.url}/v/{certificate.number}/{certificate.check_code}/")
        expect(page.get_by_text("Genuine and current.")).to_be_visible()
        chooser = page.get_by_label("Or choose the PDF file to compare it here")
        expect(chooser).to_be_visible()  # the script revealed it

        chooser.set_input_files(str(genuine))
        expect(page.locator(".verify-compare-result")).to_contain_text(
            "certificate.pdf is the issued certificate"
        )
        chooser.set_input_files(str(altered))
        expect(page.locator(".verify-compare-result")).to_contain_text(
            "altered.pdf is NOT the issued file"
        )
        assert errors == []
        browser.close()


def test_without_javascript_the_page_explains_how_to_compare(live_server, certificate):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": 390, "height": 844}
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/v/{certificate.number}/{certificate.check_code}/")
        expect(page.get_by_text(certificate.sha256)).to_be_visible()
        expect(page.get_by_text("shasum -a 256 file.pdf")).to_be_visible()
        expect(page.locator(".verify-compare")).to_be_hidden()
        browser.close()
