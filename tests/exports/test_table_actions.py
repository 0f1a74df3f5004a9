"""The table toolbar: export links carrying the filters; the ZIP button only where enabled."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

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
