"""The notification settings page: two choices, saved with a message, in the activity log;
reachable from the account menu; only for facility people."""

from __future__ import annotations

import pytest
from django.test import Client

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import PartnerStaff
from compliance_hub.notifications.models import Preferences
from tests import factories

pytestmark = pytest.mark.django_db


def test_both_are_on_by_default_and_saving_redirects_with_a_message(site):
    browser = site.browser(site.member)
    page = browser.get("/notifications/").content.decode()
    assert "<h1>E-mail notifications</h1>" in page
    assert page.count("checked") == 2
    assert 'aria-describedby="id_weekly_digest_helptext"' in page
    assert "Once a week" in page and "becomes void or is replaced" in page

    response = browser.post("/notifications/", {"weekly_digest": "on"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    page = browser.get("/notifications/").content.decode()
    assert "Saved: certificate change e-mails off." in page
    assert page.count("checked") == 1
    preferences = Preferences.objects.get(person=site.member)
    assert preferences.weekly_digest and not preferences.certificate_changes

    [entry] = Activity.objects.filter(verb=Activity.Verb.SETTINGS_CHANGED, actor=site.member)
    assert entry.detail["what"] == "e-mail notifications: certificate change e-mails off"
    assert entry.facility is None  # one's own setting, for all one's facilities

    browser.post("/notifications/", {"weekly_digest": "on"})  # no change: nothing logged
    assert "Nothing to change." in browser.get("/notifications/").content.decode()
    assert Activity.objects.filter(verb=Activity.Verb.SETTINGS_CHANGED).count() == 1


def test_the_account_menu_links_to_it_on_facility_pages(site):
    page = site.browser(site.member).get(f"/facilities/{site.facility.pk}/certificates/")
    nav = page.content.decode().split('<nav aria-label="Account"')[1].split("</nav>")[0]
    assert '<a href="/notifications/">Notifications</a>' in nav
    settings_page = site.browser(site.member).get("/notifications/").content.decode()
    nav = settings_page.split('<nav aria-label="Account"')[1].split("</nav>")[0]
    assert 'aria-current="page"' in nav


def test_only_facility_people_have_the_page(site):
    assert Client().get("/notifications/")["Location"].startswith("/sign-in/")
    staff = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=site.partner, person=staff)
    client = Client()
    client.force_login(staff)
    assert client.get("/notifications/").status_code == 404
    assert client.post("/notifications/", {}).status_code == 404
    assert not Preferences.objects.exists()
