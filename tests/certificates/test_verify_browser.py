"""The verification page in a real browser: comparing a PDF file's SHA-256 without uploading it."""

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"


def console_error(message, errors: list[str]) -> None:
    """Console errors (a CSP violation is one), except the browser's own favicon request."""
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(f"{message.text} {message.location}")


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
        page.on("console", lambda msg: console_error(msg, errors))
        response = page.goto(f"{live_server.url}/v/{certificate.number}/{certificate.check_code}/")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.get_by_text("Genuine and current.")).to_be_visible()
        chooser = page.get_by_label("PDF file to compare")
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


DROP = """([name, bytes]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "application/pdf"}));
    return transfer;
}"""


def test_a_file_dropped_on_the_page_is_compared_locally(live_server, certificate, tmp_path):
    genuine = documents.read_pdf(certificate)
    forged = genuine.replace(b"/Title", b"/Titel", 1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: console_error(msg, errors))
        page.goto(f"{live_server.url}/v/{certificate.number}/{certificate.check_code}/")
        expect(page.get_by_text("drop the PDF file onto this page")).to_be_visible()
        page.on("request", lambda request: requests.append(request.url))
        url = page.url

        for name, data, expected in [
            ("handed-to-me.pdf", genuine, "handed-to-me.pdf is the issued certificate"),
            ("forged.pdf", forged, "forged.pdf is NOT the issued file"),
        ]:
            transfer = page.evaluate_handle(DROP, [name, list(data)])
            page.dispatch_event("h1", "dragenter", {"dataTransfer": transfer})
            expect(page.locator(".verify-compare")).to_have_class(re.compile("is-dragover"))
            page.dispatch_event("h1", "dragover", {"dataTransfer": transfer})
            page.dispatch_event("h1", "drop", {"dataTransfer": transfer})
            expect(page.locator(".verify-compare-result")).to_contain_text(expected)
            expect(page.locator(".verify-compare")).not_to_have_class(re.compile("is-dragover"))

        assert page.url == url  # the browser did not navigate to the dropped file
        assert requests == []  # nothing was uploaded, nothing fetched
        assert errors == []
        browser.close()
