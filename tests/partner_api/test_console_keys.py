"""Partner console: API keys are created (shown once), listed and revoked."""

import pytest
from django.test import Client

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import PartnerStaff
from compliance_hub.partner_api import keys
from compliance_hub.partner_api.models import ApiKey
from tests import factories
from tests.partner_api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(partner):
    person = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=person)
    return person


@pytest.fixture
def console(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_create_shows_the_key_once_and_it_works(console, partner, staff):
    posted = console.post("/partner/keys/new/", {"name": "Scheduler", "partner": partner.pk})
    assert posted.status_code == 302 and posted["Location"] == "/partner/keys/"
    response = console.get("/partner/keys/")
    raw = response.context["new_key"]
    assert raw.startswith("chk_live_") and raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get(partner=partner)
    assert key.name == "Scheduler" and key.created_by == staff
    assert Api(raw).get("/facilities").status_code == 200
    listing = console.get("/partner/keys/").content.decode()
    assert key.prefix in listing and raw not in listing
    created = Activity.objects.get(verb=Activity.Verb.API_KEY_CREATED, partner=partner)
    assert created.actor == staff and created.target == key.prefix


def test_revoke_stops_the_key(console, partner, staff):
    key, raw = keys.create_key(partner)
    response = console.post(f"/partner/keys/{key.pk}/revoke/", follow=True)
    assert "no longer works" in response.content.decode()
    assert_problem(Api(raw).get("/facilities"), 401)
    revoked = Activity.objects.get(verb=Activity.Verb.API_KEY_REVOKED, partner=partner)
    assert revoked.actor == staff


def test_last_use_is_shown(console, partner):
    key, raw = keys.create_key(partner)
    Api(raw).get("/facilities")
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert console.get("/partner/keys/").context["keys"][0].last_used_at == key.last_used_at


def test_other_partners_keys_are_invisible_and_404(console, other_partner):
    key, raw = keys.create_key(other_partner)
    assert key.prefix not in console.get("/partner/keys/").content.decode()
    assert console.post(f"/partner/keys/{key.pk}/revoke/").status_code == 404
    assert Api(raw).get("/facilities").status_code == 200


def test_cannot_create_a_key_for_another_partner(console, other_partner):
    response = console.post("/partner/keys/new/", {"partner": other_partner.pk})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_non_staff_cannot_manage_keys(partner):
    key, _ = keys.create_key(partner)
    client = Client()
    client.force_login(factories.person())
    assert client.get("/partner/keys/").status_code == 404
    assert client.post("/partner/keys/new/", {"partner": partner.pk}).status_code == 404
    assert client.post(f"/partner/keys/{key.pk}/revoke/").status_code == 404
    assert ApiKey.objects.get().revoked_at is None


def test_reloading_after_creating_a_key_neither_creates_another_nor_shows_it_again(
    console, partner
):
    """POST/redirect/GET: the browser's reload repeats the GET, not the POST."""
    shown = console.post(
        "/partner/keys/new/", {"name": "Payroll", "partner": partner.pk}, follow=True
    )
    assert shown.redirect_chain == [("/partner/keys/", 302)]
    raw = shown.context["new_key"]
    page = shown.content.decode()
    assert raw in page and 'data-copy="new-key"' in page and "partner_api/copy" in page
    reloaded = console.get("/partner/keys/")
    assert reloaded.context["new_key"] == "" and raw not in reloaded.content.decode()
    assert "Your new API key" not in reloaded.content.decode()
    assert ApiKey.objects.filter(partner=partner).count() == 1
    assert Activity.objects.filter(verb=Activity.Verb.API_KEY_CREATED).count() == 1


def test_a_new_key_is_shown_only_in_the_session_that_created_it(console, partner, staff):
    console.post("/partner/keys/new/", {"name": "Payroll", "partner": partner.pk})
    colleague = factories.person("colleague@acme.example")
    PartnerStaff.objects.create(partner=partner, person=colleague)
    other = Client()
    other.force_login(colleague)
    assert other.get("/partner/keys/").context["new_key"] == ""
    assert console.get("/partner/keys/").context["new_key"].startswith("chk_live_")


def test_the_console_links_the_api_guide(console):
    page = console.get("/partner/keys/").content.decode()
    assert 'href="/api/guide/"' in page
    assert "docs/api.md" not in page
