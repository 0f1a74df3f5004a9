"""The partner console's activity page and export: the partner's own records, nobody else's."""

from datetime import timedelta

import pytest

from compliance_hub.activity.models import Activity
from tests.activity.conftest import T0, log
from tests.activity.test_export import rows_of

pytestmark = pytest.mark.django_db
V = Activity.Verb


@pytest.fixture
def records(site):
    log(V.DOWNLOADED, at=T0, actor=site.member, facility=site.facility, target="CH-MINE-0001")
    log(
        V.DOWNLOADED,
        at=T0 + timedelta(minutes=1),
        actor=site.outsider,
        facility=site.other,
        target="CH-MINE-0002",
    )
    log(
        V.API_KEY_CREATED,
        at=T0 + timedelta(minutes=2),
        actor=site.staff,
        partner=site.partner,
        target="chk_live_MINE",
    )
    log(V.SIGNED_IN, at=T0 + timedelta(minutes=3), actor=site.outsider, detail={"method": "code"})
    log(V.SIGNED_IN, at=T0 + timedelta(minutes=4), actor=site.staff, detail={"method": "link"})
    log(V.DOWNLOADED, at=T0, actor=site.other_staff, facility=site.foreign, target="CH-THEIRS-01")
    log(
        V.API_KEY_CREATED,
        at=T0,
        actor=site.other_staff,
        partner=site.foreign.partner,
        target="chk_live_THEIRS",
    )
    log(V.SIGNED_IN, at=T0, actor=site.other_staff, detail={"method": "confirm-theirs"})


def test_staff_see_their_partners_facilities_keys_and_peoples_sign_ins(site, records):
    response = site.client(site.staff).get("/partner/activity/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "CH-MINE-0001",
        "CH-MINE-0002",
        "chk_live_MINE",
        "otto.outsider@example.com",
        "St Mary Regional",
        "Lakeside Care",
        'aria-current="page">Activity</a>',
    ):
        assert text in html, text
    assert html.count("Signed in") >= 2  # the outsider (member of Lakeside) and the staff person
    for text in ("CH-THEIRS-01", "chk_live_THEIRS", "ops@other.example", "confirm-theirs"):
        assert text not in html, text


def test_the_facility_filter_narrows_to_one_of_their_facilities(site, records):
    client = site.client(site.staff)
    html = client.get("/partner/activity/", {"facility": site.other.pk}).content.decode()
    assert "CH-MINE-0002" in html and "otto.outsider@example.com" in html
    assert "CH-MINE-0001" not in html and "chk_live_MINE" not in html


def test_another_partners_facility_in_the_filter_is_refused_and_shows_nothing_of_theirs(
    site, records
):
    response = site.client(site.staff).get("/partner/activity/", {"facility": site.foreign.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose one of your facilities." in html
    assert "CH-THEIRS-01" not in html
    assert "CH-MINE-0001" in html  # the filter was dropped, the rest still shown


def test_other_partners_staff_see_only_their_own(site, records):
    html = site.client(site.other_staff).get("/partner/activity/").content.decode()
    assert "CH-THEIRS-01" in html and "chk_live_THEIRS" in html
    assert "CH-MINE-0001" not in html and "chk_live_MINE" not in html


@pytest.mark.parametrize("who", ["primary", "member", "outsider"])
def test_people_who_are_not_partner_staff_get_404(site, who):
    client = site.client(getattr(site, who))
    assert client.get("/partner/activity/").status_code == 404
    assert client.get("/partner/activity/export.csv").status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/partner/activity/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_partner_export_is_streamed_filtered_and_recorded(site, records):
    response = site.client(site.staff).get("/partner/activity/export.csv", {"verb": "downloaded"})
    assert response.status_code == 200
    rows = rows_of(response)
    assert [r[4] for r in rows[1:]] == ["CH-MINE-0002", "CH-MINE-0001"]
    exported = Activity.objects.get(verb=V.EXPORTED)
    assert exported.partner == site.partner and exported.facility is None
    assert exported.actor == site.staff


def test_partner_export_of_one_facility_is_recorded_at_that_facility(site, records):
    site.client(site.staff).get("/partner/activity/export.csv", {"facility": site.facility.pk})
    exported = Activity.objects.get(verb=V.EXPORTED)
    assert exported.facility == site.facility
    # ...so the facility's primary contacts see that the partner exported their log.
    html = site.client(site.primary).get(f"/facilities/{site.facility.pk}/activity/").content
    assert b"ops@acme.example" in html and b"activity log" in html


def test_the_console_facility_page_links_to_its_full_log(site):
    html = site.client(site.staff).get(f"/partner/facilities/{site.facility.pk}/").content.decode()
    assert f"/partner/activity/?facility={site.facility.pk}" in html
