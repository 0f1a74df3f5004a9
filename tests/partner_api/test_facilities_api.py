"""``/facilities``: upsert by external id, get, list with cursor, settings."""

import pytest

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import Facility
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db

BODY = {
    "name": "St. Mary's Regional",
    "address": {
        "line1": "1200 Mercy Way",
        "city": "Columbus",
        "region": "OH",
        "postal_code": "43215",
    },
}


def test_put_creates_then_same_payload_is_unchanged_then_change_is_updated(api, partner):
    created = api.put("/facilities/FAC-STMARY", BODY)
    assert created.status_code == 201
    assert created.json()["outcome"] == "created"
    assert created.json()["address"]["city"] == "Columbus"
    facility = Facility.objects.get(partner=partner, external_id="FAC-STMARY")
    stamp = facility.updated_at

    again = api.put("/facilities/FAC-STMARY", BODY)
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    facility.refresh_from_db()
    assert facility.updated_at == stamp

    renamed = api.put("/facilities/FAC-STMARY", {**BODY, "name": "St. Mary's Medical Center"})
    assert renamed.json()["outcome"] == "updated"
    facility.refresh_from_db()
    assert facility.name == "St. Mary's Medical Center" and facility.updated_at > stamp
    assert Facility.objects.filter(partner=partner).count() == 1


def test_text_is_trimmed(api):
    response = api.put("/facilities/F-1", {"name": "  Lakeside  "})
    assert response.json()["name"] == "Lakeside"


def test_bulk_download_kept_unless_sent(api, partner):
    api.put("/facilities/F-1", {**BODY, "bulk_download_enabled": True})
    assert api.put("/facilities/F-1", BODY).json()["bulk_download_enabled"] is True
    off = api.put("/facilities/F-1", {**BODY, "bulk_download_enabled": False})
    assert off.json()["outcome"] == "updated"
    assert off.json()["bulk_download_enabled"] is False
    changes = Activity.objects.filter(verb=Activity.Verb.SETTINGS_CHANGED, partner=partner)
    assert [a.detail["bulk_download_enabled"] for a in changes.order_by("at", "id")] == [
        True,
        False,
    ]
    assert all(a.actor_label.startswith("API key “tests” (chk_live_") for a in changes)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Bad\x00name"}, "name"),
        ({"name": "Two\nlines"}, "name"),
        ({"name": 7}, "name"),
        ({"name": "A", "address": {"postal_code": "1" * 21}}, "address.postal_code"),
        ({"name": "A", "address": {"country": "United States"}}, "address.country"),
        ({"name": "A", "address": {"planet": "Earth"}}, "address.planet"),
        ({"name": "A", "bulk_download_enabled": "yes"}, "bulk_download_enabled"),
        ({"name": "A", "extra": 1}, "extra"),
    ],
)
def test_put_validation_failures_name_the_field_and_write_nothing(api, partner, body, field):
    assert_problem(api.put("/facilities/F-1", body), 422, field=field)
    assert not Facility.objects.filter(partner=partner).exists()


@pytest.mark.parametrize("external_id", ["-starts-with-dash", "has space", "x" * 101, "ünï"])
def test_external_id_format_is_checked(api, partner, external_id):
    assert_problem(api.put(f"/facilities/{external_id}", BODY), 422, field="external_id")
    assert not Facility.objects.filter(partner=partner).exists()


def test_external_ids_may_use_dots_colons_dashes(api):
    assert api.put("/facilities/acme:fac_01.a-b", BODY).status_code == 201
    assert api.get("/facilities/acme:fac_01.a-b").status_code == 200


def test_get_and_404(api):
    api.put("/facilities/F-1", BODY)
    got = api.get("/facilities/F-1")
    assert got.status_code == 200
    assert got.json()["name"] == BODY["name"]
    assert "outcome" not in got.json()
    assert_problem(api.get("/facilities/F-2"), 404)


def test_list_pages_with_an_opaque_cursor(api):
    for i in range(5):
        api.put(f"/facilities/F-{i}", {"name": f"Facility {i}"})
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/facilities", params).json()
        seen += [f["external_id"] for f in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"F-{i}" for i in range(5)]
    assert len(seen) == 5 and pages == 3


def test_list_updated_since_and_bad_cursor(api):
    api.put("/facilities/F-1", {"name": "One"})
    later = api.put("/facilities/F-2", {"name": "Two"}).json()["updated_at"]
    items = api.get("/facilities", {"updated_since": later}).json()["items"]
    assert [f["external_id"] for f in items] == ["F-2"]
    assert_problem(api.get("/facilities", {"cursor": "bm9wZQ"}), 422, field="cursor")
    assert_problem(api.get("/facilities", {"updated_since": "yesterday"}), 422, "updated_since")
    # Any offset is accepted and compared in UTC (PostgreSQL itself refuses beyond ±15:59).
    far = api.get("/facilities", {"updated_since": "2000-01-01T00:00:00-16:08"})
    assert len(far.json()["items"]) == 2
    assert_problem(
        api.get("/facilities", {"updated_since": "0001-01-01T00:00:00+01:00"}), 422, "updated_since"
    )


def test_settings_get_and_put_record_the_change(api, partner):
    api.put("/facilities/F-1", BODY)
    assert api.get("/facilities/F-1/settings").json() == {"bulk_download_enabled": False}
    on = api.put("/facilities/F-1/settings", {"bulk_download_enabled": True})
    assert on.status_code == 200 and on.json() == {"bulk_download_enabled": True}
    assert Facility.objects.get(external_id="F-1").bulk_download_enabled is True
    api.put("/facilities/F-1/settings", {"bulk_download_enabled": True})  # no change
    records = Activity.objects.filter(verb=Activity.Verb.SETTINGS_CHANGED, partner=partner)
    assert records.count() == 1
    assert records.get().facility.external_id == "F-1"


def test_settings_validation_and_404(api):
    api.put("/facilities/F-1", BODY)
    assert_problem(api.put("/facilities/F-1/settings", {}), 422, "bulk_download_enabled")
    assert_problem(
        api.put("/facilities/F-1/settings", {"bulk_download_enabled": 1}),
        422,
        "bulk_download_enabled",
    )
    assert_problem(api.put("/facilities/F-9/settings", {"bulk_download_enabled": True}), 404)
    assert_problem(api.get("/facilities/F-9/settings"), 404)
