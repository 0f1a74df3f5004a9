"""Journeys 2, 3, 5 and 7 on the certificate table: filters, the switcher, bookmarks, PDFs,
bulk download and CSV export, and a phone."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from compliance_hub.certificates import documents
from tests.browser import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def names(page: Page) -> list[str]:
    return page.locator("table.cert-table tbody .contractor").all_inner_texts()


@pytest.fixture
def portal(transactional_db) -> data.Portal:
    return data.portal()


def test_filter_by_effective_dates_switch_facility_clear_and_reopen_the_bookmark(hub, portal):
    page = hub.new_page(session_of=portal.pat)
    page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    assert names(page) == ["Dev Patel", "Cara Diaz", "Bob Stone", "Ann Lee", "Eve Moss"]
    expect(page.get_by_text("5 assignments")).to_be_visible()

    page.get_by_label("From").first.fill("2026-02-01")
    page.get_by_label("To").first.fill("2026-03-04")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"effective_from=2026-02-01"))
    # Exactly the assignments that started between Feb 1 and Mar 4, newest first.
    assert names(page) == ["Dev Patel", "Cara Diaz", "Bob Stone"]
    expect(page.locator("table.cert-table tbody tr").first.locator("td").first).to_have_text(
        "Mar 4, 2026"
    )
    expect(page.get_by_text("3 assignments")).to_be_visible()
    bookmark = page.url
    query = parse_qs(urlsplit(bookmark).query)
    assert query["effective_from"] == ["2026-02-01"] and query["effective_to"] == ["2026-03-04"]

    # The switcher opens the other facility with the same filters.
    page.get_by_label("Facility").select_option(label=portal.birch.name)
    page.wait_for_url(re.compile(rf"/facilities/{portal.birch.pk}/certificates/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.birch.name)
    assert names(page) == ["Bob Stone"]
    expect(page.get_by_label("From").first).to_have_value("2026-02-01")

    # Applied filters are one line above the table; "Edit filters" opens the panel again.
    page.get_by_text("Edit filters").click()
    page.get_by_role("link", name="Clear").click()
    page.wait_for_url(re.compile(rf"/facilities/{portal.birch.pk}/certificates/$"))
    assert names(page) == ["Bob Stone", "Fay Gold"]
    expect(page.get_by_label("From").first).to_have_value("")

    # The bookmark, opened later in another tab, is the same view.
    later = page.context.new_page()
    later.goto(bookmark)
    expect(later.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    assert names(later) == ["Dev Patel", "Cara Diaz", "Bob Stone"]
    expect(later.get_by_label("From").first).to_have_value("2026-02-01")
    expect(later.get_by_label("To").first).to_have_value("2026-03-04")


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible name (or label) starts with ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el) return '';
                const label = el.labels && el.labels[0] ? el.labels[0].innerText : '';
                return (el.getAttribute('aria-label') || label || el.innerText || '').trim();
            }"""
        )
        if focused.startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def focus_ring(page: Page) -> dict:
    """The focused element's outline; asserts it is visible: at least 2px, and 3:1 against
    the page background (WCAG 1.4.11, non-text contrast)."""
    ring = page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                    color: s.outlineColor,
                    page: getComputedStyle(document.documentElement).backgroundColor};
        }"""
    )
    assert ring["style"] not in ("none", "hidden") and ring["width"] >= 2, ring
    lighter, darker = sorted((_luminance(ring["color"]), _luminance(ring["page"])), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 3, ring
    return ring


def test_journey_two_with_the_keyboard_only(hub, portal):
    """Tab, type, Enter and arrow keys only; every stop shows a visible focus ring."""
    page = hub.new_page(session_of=portal.pat)
    page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    # The first Tab reaches the skip link, which jumps past the header.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    focus_ring(page)

    tab_to(page, "From")
    focus_ring(page)
    page.keyboard.type("02012026")  # mm dd yyyy, as the en-US date field takes it
    tab_to(page, "To")
    page.keyboard.type("03042026")
    expect(page.get_by_label("To").first).to_have_value("2026-03-04")
    tab_to(page, "Apply")
    focus_ring(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"effective_from=2026-02-01&effective_to=2026-03-04"))
    assert names(page) == ["Dev Patel", "Cara Diaz", "Bob Stone"]

    # The new page starts at the top: on to the switcher in the header.
    tab_to(page, "Facility")
    focus_ring(page)
    page.keyboard.press("ArrowDown")  # a closed select changes with the arrow keys
    page.wait_for_url(re.compile(rf"/facilities/{portal.birch.pk}/certificates/\?"))
    assert names(page) == ["Bob Stone"]

    tab_to(page, "Filters:")  # the folded filters' summary line
    focus_ring(page)
    page.keyboard.press("Enter")  # opens the panel
    tab_to(page, "Clear")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/facilities/{portal.birch.pk}/certificates/$"))
    assert names(page) == ["Bob Stone", "Fay Gold"]


def test_view_a_certificate_inline_and_download_it(hub, portal):
    certificate = portal.rows["dev"].current_certificate
    assert certificate is not None
    page = hub.new_page(session_of=portal.pat)
    page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    row = page.locator("table.cert-table tbody tr").filter(has_text="Dev Patel")

    with page.expect_response(re.compile(rf"/certificates/{certificate.number}/$")) as viewed:
        row.get_by_role("link", name=re.compile("^View certificate")).click()
    response = viewed.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    stored = documents.read_pdf(documents.ensure_rendered(certificate))
    # The browser shows it in its PDF viewer, at the certificate's own address; the bytes it
    # holds there are the stored file's.
    assert page.url.endswith(f"/certificates/{certificate.number}/")
    shown = page.evaluate(
        "async () => Array.from(new Uint8Array(await (await fetch(location.href)).arrayBuffer()))"
    )
    assert bytes(shown) == stored

    page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    row = page.locator("table.cert-table tbody tr").filter(has_text="Dev Patel")
    with page.expect_download() as downloaded:
        row.get_by_role("link", name=re.compile("^Download certificate")).click()
    download = downloaded.value
    certificate.refresh_from_db()
    assert download.suggested_filename == documents.pdf_filename(certificate)
    assert download.suggested_filename.startswith("COI_dev-patel_2026-03-04_2026-03-04_")
    with open(download.path(), "rb") as f:
        assert f.read() == stored


def test_bulk_download_off_then_turned_on_by_the_partner_and_csv_export(hub, portal):
    page = hub.new_page(session_of=portal.pat)
    page.goto(f"/facilities/{portal.alder.pk}/certificates/?effective_from=2026-02-01")
    assert names(page) == ["Dev Patel", "Cara Diaz", "Bob Stone"]
    expect(page.get_by_role("link", name=re.compile("^Download all certificates"))).to_have_count(0)
    expect(page.locator(".bulk-disabled")).to_contain_text(
        f"{data.PARTNER}, your staffing partner, can enable it"
    )
    expect(page.get_by_role("link", name="help@shiftwise.example")).to_be_visible()

    with page.expect_download() as downloaded:
        page.get_by_role("link", name=re.compile("^Export CSV")).click()
    export = downloaded.value
    assert export.suggested_filename.endswith(".csv")
    with open(export.path(), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["Contractor"] for r in rows] == ["Dev Patel", "Cara Diaz", "Bob Stone"]
    assert rows[0]["Effective date"] == "2026-03-04"

    # The partner turns bulk download on in its console.
    ops = hub.new_page(session_of=data.partner_staff(portal.partner))
    ops.goto("/partner/")
    ops.get_by_role("link", name=portal.alder.name).click()
    expect(ops.locator("#bulk-heading + p .badge")).to_have_text("Off")
    ops.get_by_role("button", name=f"Turn on bulk download for {portal.alder.name}").click()
    expect(ops.locator("#bulk-heading + p .badge")).to_have_text("On")

    page.reload()
    bulk = page.get_by_role("link", name=re.compile("^Download all certificates"))
    expect(bulk).to_be_visible()
    expect(page.locator(".bulk-disabled")).to_have_count(0)
    with page.expect_download() as downloaded:
        bulk.click()
    archive = downloaded.value
    assert archive.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(archive.path()) as z:
        pdfs = sorted(n for n in z.namelist() if n.endswith(".pdf"))
        index = list(csv.DictReader(io.TextIOWrapper(z.open("index.csv"), encoding="utf-8-sig")))
        expected = {}
        for key in ("dev", "cara", "bob"):
            portal.rows[key].refresh_from_db()
            cert = portal.rows[key].current_certificate
            expected[cert.number] = documents.read_pdf(documents.ensure_rendered(cert))
        # One PDF per matching row (file name ends with its number), byte for byte the stored one.
        got = {name.rsplit("_", 1)[-1].removesuffix(".pdf"): z.read(name) for name in pdfs}
        assert got == expected
    assert sorted(r["Contractor"] for r in index) == ["Bob Stone", "Cara Diaz", "Dev Patel"]


def test_a_phone_reads_the_table_and_uses_the_filters(hub, portal):
    page = hub.new_page(
        session_of=portal.pat,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"/facilities/{portal.alder.pk}/certificates/")
    expect(page.get_by_role("heading", level=1)).to_have_text(portal.alder.name)
    # Nothing wider than the phone; each row reads as a small card with labelled dates.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator("table.cert-table tbody tr").first
    expect(first).to_contain_text("Dev Patel")
    expect(first.locator("td").first).to_have_text("Mar 4, 2026")
    label = first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Effective" in label
    box = first.bounding_box()
    assert box is not None and box["width"] <= 390 and box["y"] < 844
    font = first.locator(".contractor").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 16
    hub.shot(page, "table-phone", full_page=False)

    # The folded filter panel opens with a tap; the fields fit the screen.
    page.get_by_text("Filter assignments").tap()
    start = page.get_by_label("From").first
    expect(start).to_be_visible()
    field_box = start.bounding_box()
    assert field_box is not None and field_box["x"] + field_box["width"] <= 390
    assert field_box["height"] >= 40  # a comfortable tap target
    start.fill("2026-01-01")
    page.get_by_label("To").first.fill("2026-01-31")
    page.get_by_role("button", name="Apply").tap()
    page.wait_for_url(re.compile(r"effective_to=2026-01-31"))
    assert names(page) == ["Ann Lee"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    hub.check_a11y(page, "table on a phone")
