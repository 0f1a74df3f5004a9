"""One facility scoping rule (``facilities.queries.portal_for``) and the header it gives every
facility page: the facility, its partner, the tabs and the facility switcher."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client
from django.utils import timezone

from compliance_hub.audits import services as audit_services
from compliance_hub.facilities.models import Membership
from compliance_hub.facilities.queries import portal_for
from tests import factories
from tests.audits.helpers import csv_bytes, run_schedule

pytestmark = pytest.mark.django_db
ROWS: list[list[object]] = [["Contractor", "Work date"], ["Jane Doe", "2026-03-05"]]


@pytest.fixture
def site(partner):
    alder = factories.facility(partner, name="Alder Court")
    birch = factories.facility(partner, name="Birch House")
    person = factories.member(alder, factories.person("pat@example.com"), role="primary")
    factories.member(birch, person)
    jane = factories.contractor(partner, "Jane", "Doe")
    assignment = factories.assignment(alder, jane, date(2026, 3, 1), date(2026, 3, 10))
    reconciliation = run_schedule(alder, person, ROWS)
    upload = audit_services.keep_upload(alder, person, "s.csv", csv_bytes(ROWS))
    client = Client()
    client.force_login(person)
    return {
        "alder": alder,
        "birch": birch,
        "person": person,
        "client": client,
        "assignment": assignment,
        "reconciliation": reconciliation,
        "upload": upload,
    }


PAGES = {
    "table": "certificates/",
    "history": "assignments/{assignment}/",
    "bulk download refused": "certificates/bulk.zip",
    "team": "team/",
    "audits": "audits/",
    "audit upload": "audits/new/",
    "audit mapping": "audits/new/{upload}/",
    "audit result": "audits/{reconciliation}/",
    "activity": "activity/",
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_facility_page_has_the_same_header(site, page):
    alder = site["alder"]
    rest = PAGES[page].format(
        assignment=site["assignment"].pk,
        upload=site["upload"].token,
        reconciliation=site["reconciliation"].pk,
    )
    response = site["client"].get(f"/facilities/{alder.pk}/{rest}")
    assert response.status_code in (200, 403), response.status_code
    html = response.content.decode()
    assert f"Certificates of insurance from <strong>{alder.partner.name}</strong>" in html
    assert f'<nav aria-label="{alder.name}" class="facility-nav">' in html
    for tab in ("certificates/", "team/", "audits/", "activity/"):
        assert f'href="/facilities/{alder.pk}/{tab}"' in html, tab
    assert html.count('aria-current="page"') == 1
    # The switcher: both of the person's facilities, this one chosen.
    assert 'id="facility-switcher-select"' in html
    assert f'<option value="{alder.pk}" selected>Alder Court' in html
    assert f'<option value="{site["birch"].pk}">Birch House' in html


def test_the_activity_tab_is_for_primary_contacts_only(site):
    birch = site["birch"]  # a plain member there
    html = site["client"].get(f"/facilities/{birch.pk}/team/").content.decode()
    assert f'href="/facilities/{birch.pk}/team/" aria-current="page"' in html
    assert f'href="/facilities/{birch.pk}/activity/"' not in html


def test_one_query_finds_the_facility_and_every_membership(site, django_assert_num_queries):
    person = site["person"]
    with django_assert_num_queries(1):
        portal = portal_for(person, site["birch"].pk)
        assert [f.name for f in portal.facilities] == ["Alder Court", "Birch House"]
        assert portal.facility.partner.name == site["alder"].partner.name
        assert not portal.is_primary and not portal.invited


@pytest.mark.parametrize("who", ["anonymous", "outsider", "revoked", "inactive"])
def test_anyone_without_an_active_membership_gets_404(site, who):
    alder = site["alder"]
    if who == "anonymous":
        user = AnonymousUser()
    elif who == "outsider":
        user = factories.member(factories.facility(), factories.person("otto@example.com"))
    elif who == "revoked":
        user = site["person"]
        Membership.objects.filter(person=user, facility=alder).update(revoked_at=timezone.now())
    else:
        user = site["person"]
        user.is_active = False
    with pytest.raises(Http404):
        portal_for(user, alder.pk)
