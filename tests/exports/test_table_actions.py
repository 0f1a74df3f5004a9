"""The table toolbar: export links carrying the filters; the ZIP button only where enabled."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import Facility, Partner

pytestmark = pytest.mark.django_db


def toolbar(client, facility, query: str = "") -> str:
    base = reverse("certificates:table", kwargs={"facility_id": facility.pk})
    response = client.get(f"{base}?{query}" if query else base)
    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(r'<div class="export-actions">(.*?)</div>', page, re.S)
    assert match, "the export actions are in the table toolbar"
    return match.group(1)


def links(fragment: str) -> dict[str, str]:
    found = re.findall(r'<a class="button[^"]*" href="([^"]+)">([^<]+)<', fragment)
    return {text: html.unescape(href) for href, text in found}


def test_exports_and_zip_carry_the_current_filters(client, site):
    client.force_login(site.person)
    query = "active_from=2025-01-01&active_to=2025-12-31&q=garcia&sort=name&dir=asc"
    found = links(toolbar(client, site.facility, query))
    base = f"/facilities/{site.facility.pk}/certificates"
    assert found == {
        "Export CSV": f"{base}/export.csv?{query}",
        "Export Excel": f"{base}/export.xlsx?{query}",
        "Download all certificates (ZIP)": f"{base}/bulk.zip?{query}",
    }
    assert "not enabled" not in toolbar(client, site.facility)


def test_unfiltered_links_have_no_query(client, site):
    client.force_login(site.person)
    found = links(toolbar(client, site.facility))
    assert found["Export CSV"] == f"/facilities/{site.facility.pk}/certificates/export.csv"


def test_without_bulk_download_the_button_is_replaced_by_who_can_enable_it(client, site):
    Facility.objects.filter(pk=site.facility.pk).update(bulk_download_enabled=False)
    client.force_login(site.person)
    fragment = toolbar(client, site.facility, "status=current")
    assert "bulk.zip" not in fragment
    assert set(links(fragment)) == {"Export CSV", "Export Excel"}
    text = " ".join(re.sub(r"<[^>]+>", "", fragment).split())
    assert (
        "Bulk download (one ZIP of all these certificates) is not enabled for this facility."
        in text
    )
    assert (
        "Shiftwise Staffing, your staffing partner, can enable it: help@shiftwise.example." in text
    )
    assert 'href="mailto:help@shiftwise.example"' in fragment


def test_without_a_support_address_the_partner_is_still_named(client, site):
    Facility.objects.filter(pk=site.facility.pk).update(bulk_download_enabled=False)
    Partner.objects.filter(pk=site.facility.partner_id).update(support_email="")
    client.force_login(site.person)
    fragment = toolbar(client, site.facility)
    text = " ".join(re.sub(r"<[^>]+>", "", fragment).split())
    assert "Shiftwise Staffing, your staffing partner, can enable it." in text
    assert "mailto:" not in fragment


def plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


@pytest.mark.parametrize(
    "query",
    [
        "active_from=2025-13-01&q=garcia",  # not a date
        "effective_from=2025-06-01&effective_to=2025-01-01",  # "to" before "from"
        "status=expired",  # not a choice
    ],
)
def test_with_invalid_filters_the_exports_refuse_with_the_tables_own_errors(client, site, query):
    """The table applies only the valid filters; its export links must not export those
    alone (more rows than asked for): they carry what was typed, and every export refuses
    with the errors the table shows."""
    client.force_login(site.person)
    base = reverse("certificates:table", kwargs={"facility_id": site.facility.pk})
    table = client.get(f"{base}?{query}&after=garbage").content.decode()
    summary = re.search(r'id="filter-errors".*?<ul>(.*?)</ul>', table, re.S)
    assert summary, "the table explains the invalid filters"
    table_errors = plain(summary.group(1))
    found = links(toolbar(client, site.facility, query))
    assert set(found) == {"Export CSV", "Export Excel", "Download all certificates (ZIP)"}
    for href in found.values():
        assert href.endswith(f"?{query}"), href  # as typed (and no page cursor)
        refused = client.get(href)
        assert refused.status_code == 400
        page = refused.content.decode()
        assert "Export not started" in page
        listed = plain(
            re.search(r"<ul>(.*?)</ul>", page.split("export-refusal", 1)[1], re.S).group(1)
        )
        assert listed == table_errors
    assert not Activity.objects.exists()


def test_with_no_matching_rows_the_toolbar_says_there_is_nothing_to_export(client, site):
    client.force_login(site.person)
    fragment = toolbar(client, site.facility, "effective_from=2030-01-01")
    assert links(fragment) == {}
    assert "Nothing to export: no assignments match these filters." in plain(fragment)
    assert links(toolbar(client, site.facility, "effective_from=2025-01-01"))  # some: buttons
