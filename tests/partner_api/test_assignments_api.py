"""``/assignments``: upsert issuing certificates, cancel, get, list with filters and cursor."""

import pytest

from compliance_hub.certificates.models import Assignment, Certificate
from tests import factories
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(api, partner):
    api.put("/facilities/FAC-1", {"name": "St Mary"})
    api.put("/facilities/FAC-2", {"name": "Lakeside"})
    api.put("/contractors/C-1", {"first_name": "Jane", "last_name": "Doe"})
    api.put("/contractors/C-2", {"first_name": "Ann", "last_name": "Lee"})
    return api


def body(**kw):
    return {
        "facility": "FAC-1",
        "contractor": "C-1",
        "effective_date": "2026-03-01",
        "end_date": "2026-03-01",
        "description": "Night shift",
        **kw,
    }


def test_put_creates_with_a_certificate(setup, partner):
    response = setup.put("/assignments/A-1", body())
    assert response.status_code == 201
    data = response.json()
    assert data["outcome"] == "created" and data["status"] == "active"
    assert data["contractor_name"] == "Jane Doe"
    cert = data["current_certificate"]
    assert cert["status"] == "issued"
    assert cert["pdf_url"].endswith(f"/api/v1/certificates/{cert['number']}/pdf")
    assert Certificate.objects.filter(number=cert["number"], assignment__partner=partner).exists()


def test_same_payload_twice_is_unchanged_and_issues_nothing(setup):
    first = setup.put("/assignments/A-1", body()).json()
    second = setup.put("/assignments/A-1", body())
    assert second.status_code == 200
    assert second.json()["outcome"] == "unchanged"
    assert second.json()["current_certificate"]["number"] == first["current_certificate"]["number"]
    assert second.json()["updated_at"] == first["updated_at"]
    assert Certificate.objects.count() == 1


def test_change_supersedes_the_current_certificate(setup):
    first = setup.put("/assignments/A-1", body()).json()["current_certificate"]["number"]
    changed = setup.put("/assignments/A-1", body(end_date="2026-03-02")).json()
    assert changed["outcome"] == "updated"
    new = changed["current_certificate"]["number"]
    assert new != first
    old = Certificate.objects.get(number=first)
    assert old.status == Certificate.Status.SUPERSEDED
    assert Certificate.objects.get(number=new).supersedes_id == old.pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(effective_date="03/01/2026"), "effective_date"),
        (body(effective_date="2026-02-30"), "effective_date"),
        (body(end_date=20260301), "end_date"),
        (body(end_date="2026-03-01T00:00:00"), "end_date"),
        (body(end_date="2026-02-28"), "end_date"),
        (body(facility="FAC-404"), "facility"),
        (body(contractor="C-404"), "contractor"),
        (body(facility="bad id"), "facility"),
        (body(description="x" * 501), "description"),
        (body(description="nul\x00"), "description"),
        ({"facility": "FAC-1", "contractor": "C-1"}, "effective_date"),
    ],
)
def test_validation_failures_write_nothing(setup, payload, field):
    assert_problem(setup.put("/assignments/A-1", payload), 422, field=field)
    assert not Assignment.objects.exists() and not Certificate.objects.exists()


def test_several_errors_are_reported_together(setup):
    response = setup.put(
        "/assignments/A-1", body(facility="FAC-404", contractor="C-404", end_date="2026-01-01")
    )
    fields = {e["field"] for e in assert_problem(response, 422)["errors"]}
    assert fields == {"facility", "contractor", "end_date"}


def test_another_partners_facility_is_unknown(setup, other_partner):
    factories.facility(other_partner, external_id="FAC-THEIRS")
    assert_problem(setup.put("/assignments/A-1", body(facility="FAC-THEIRS")), 422, "facility")


def test_description_may_span_lines(setup):
    response = setup.put("/assignments/A-1", body(description="Ward 4\nNights"))
    assert response.json()["description"] == "Ward 4\nNights"


def test_cancel_voids_and_is_idempotent_and_put_reactivates(setup):
    number = setup.put("/assignments/A-1", body()).json()["current_certificate"]["number"]
    cancelled = setup.post("/assignments/A-1/cancel")
    assert cancelled.status_code == 200
    data = cancelled.json()
    assert data["outcome"] == "cancelled" and data["status"] == "cancelled"
    assert data["cancelled_at"] and data["current_certificate"]["status"] == "void"
    assert Certificate.objects.get(number=number).status == Certificate.Status.VOID
    again = setup.post("/assignments/A-1/cancel")
    assert again.json()["outcome"] == "unchanged"
    back = setup.put("/assignments/A-1", body()).json()
    assert back["outcome"] == "updated" and back["status"] == "active"
    assert back["current_certificate"]["number"] != number
    assert back["current_certificate"]["status"] == "issued"
    assert_problem(setup.post("/assignments/A-404/cancel"), 404)


def test_get_with_current_certificate_and_history(setup):
    setup.put("/assignments/A-1", body())
    setup.put("/assignments/A-1", body(description="Day shift"))
    got = setup.get("/assignments/A-1").json()
    assert got["description"] == "Day shift"
    history = setup.get("/assignments/A-1/certificates").json()["items"]
    assert [c["status"] for c in history] == ["issued", "superseded"]
    assert history[0]["number"] == got["current_certificate"]["number"]
    assert history[0]["supersedes"] == history[1]["number"]
    assert history[1]["superseded_by"] == history[0]["number"]
    assert history[1]["description"] == "Night shift"
    assert_problem(setup.get("/assignments/A-404"), 404)
    assert_problem(setup.get("/assignments/A-404/certificates"), 404)


def test_list_filters(setup):
    setup.put("/assignments/A-1", body(effective_date="2026-01-10", end_date="2026-01-10"))
    setup.put(
        "/assignments/A-2",
        body(facility="FAC-2", effective_date="2026-02-01", end_date="2026-02-20"),
    )
    setup.put("/assignments/A-3", body(effective_date="2026-03-05", end_date="2026-03-06"))
    setup.post("/assignments/A-3/cancel")

    def ids(**params):
        response = setup.get("/assignments", params)
        assert response.status_code == 200, response.content
        return sorted(a["external_id"] for a in response.json()["items"])

    assert ids() == ["A-1", "A-2", "A-3"]
    assert ids(facility="FAC-2") == ["A-2"]
    assert ids(status="cancelled") == ["A-3"]
    assert ids(effective_from="2026-02-01") == ["A-2", "A-3"]
    assert ids(effective_to="2026-02-01") == ["A-1", "A-2"]
    assert ids(end_from="2026-02-20", end_to="2026-03-05") == ["A-2"]
    assert ids(active_from="2026-02-15", active_to="2026-02-16") == ["A-2"]
    assert ids(active_from="2026-01-10", active_to="2026-01-10") == ["A-1"]
    assert_problem(setup.get("/assignments", {"facility": "FAC-404"}), 422, "facility")
    assert_problem(setup.get("/assignments", {"status": "gone"}), 422, "status")


def test_list_updated_since_sees_later_changes(setup):
    setup.put("/assignments/A-1", body())
    setup.put("/assignments/A-2", body(contractor="C-2"))
    since = setup.get("/assignments/A-2").json()["updated_at"]
    setup.put("/assignments/A-1", body(description="Changed"))
    items = setup.get("/assignments", {"updated_since": since}).json()["items"]
    assert [a["external_id"] for a in items] == ["A-2", "A-1"]


def test_list_cursor_walks_every_item_once(setup):
    for i in range(7):
        setup.put(
            f"/assignments/A-{i}", body(effective_date=f"2026-03-0{i + 1}", end_date="2026-03-09")
        )
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = setup.get("/assignments", params).json()
        seen += [a["external_id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"A-{i}" for i in range(7)]
