"""``POST /assignments/bulk``: up to 1,000 items, all or nothing, per-item outcomes."""

import pytest

from compliance_hub.certificates.models import Assignment, Certificate
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(api):
    api.put("/facilities/FAC-1", {"name": "St Mary"})
    api.put("/contractors/C-1", {"first_name": "Jane", "last_name": "Doe"})
    api.put("/contractors/C-2", {"first_name": "Ann", "last_name": "Lee"})
    return api


def item(i, **kw):
    return {
        "external_id": f"A-{i}",
        "facility": "FAC-1",
        "contractor": "C-1" if i % 2 else "C-2",
        "effective_date": "2026-03-01",
        "end_date": "2026-03-02",
        "description": f"Shift {i}",
        **kw,
    }


def test_bulk_creates_each_with_a_certificate(setup, partner):
    response = setup.post("/assignments/bulk", {"items": [item(i) for i in range(5)]})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["updated"], data["unchanged"]) == (5, 0, 0)
    assert [r["index"] for r in data["items"]] == list(range(5))
    assert all(r["outcome"] == "created" for r in data["items"])
    for r in data["items"]:
        a = Assignment.objects.get(partner=partner, external_id=r["external_id"])
        assert a.current_certificate.number == r["certificate"]
        assert a.current_certificate.status == Certificate.Status.ISSUED
    a1 = setup.get("/assignments/A-1").json()
    assert a1["contractor_name"] == "Jane Doe" and a1["current_certificate"]["status"] == "issued"


def test_same_bulk_twice_is_all_unchanged_and_issues_nothing(setup):
    payload = {"items": [item(i) for i in range(20)]}
    first = setup.post("/assignments/bulk", payload).json()
    count = Certificate.objects.count()
    second = setup.post("/assignments/bulk", payload).json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 20)
    assert Certificate.objects.count() == count == 20
    assert [r["certificate"] for r in second["items"]] == [r["certificate"] for r in first["items"]]


def test_mixed_batch_reports_each_outcome(setup):
    setup.post("/assignments/bulk", {"items": [item(0), item(1)]})
    data = setup.post(
        "/assignments/bulk",
        {"items": [item(0), item(1, end_date="2026-03-05"), item(2)]},
    ).json()
    assert [r["outcome"] for r in data["items"]] == ["unchanged", "updated", "created"]
    assert Certificate.objects.filter(status=Certificate.Status.SUPERSEDED).count() == 1


def test_one_bad_item_rejects_the_whole_batch(setup):
    items = [item(i) for i in range(10)]
    items[3]["end_date"] = "2026-02-01"
    items[7]["contractor"] = "C-404"
    body = assert_problem(setup.post("/assignments/bulk", {"items": items}), 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"items[3].end_date", "items[7].contractor"}
    assert "nothing was changed" in body["detail"]
    assert not Assignment.objects.exists() and not Certificate.objects.exists()


def test_bad_item_after_existing_ones_changes_nothing_either(setup):
    setup.post("/assignments/bulk", {"items": [item(0)]})
    before = list(Certificate.objects.values_list("number", "status"))
    items = [item(0, end_date="2026-03-09"), item(1, facility="FAC-404")]
    assert_problem(setup.post("/assignments/bulk", {"items": items}), 422, "items[1].facility")
    assert list(Certificate.objects.values_list("number", "status")) == before
    assert Assignment.objects.get(external_id="A-0").end_date.isoformat() == "2026-03-02"


def test_schema_errors_are_indexed_too(setup):
    items = [item(0), item(1, effective_date="tomorrow"), item(2, external_id="bad id")]
    body = assert_problem(setup.post("/assignments/bulk", {"items": items}), 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"items[1].effective_date", "items[2].external_id"}
    assert not Assignment.objects.exists()


def test_duplicate_external_ids_in_one_batch(setup):
    body = assert_problem(
        setup.post("/assignments/bulk", {"items": [item(0), item(1), item(0)]}),
        422,
        "items[2].external_id",
    )
    assert "item 0" in body["errors"][0]["message"]
    assert not Assignment.objects.exists()


def test_at_most_1000_items_and_at_least_one(setup):
    assert_problem(setup.post("/assignments/bulk", {"items": []}), 422, "items")
    many = [item(i) for i in range(1001)]
    assert_problem(setup.post("/assignments/bulk", {"items": many}), 422, "items")
    assert not Assignment.objects.exists()


def test_bulk_reactivates_a_cancelled_assignment(setup):
    setup.post("/assignments/bulk", {"items": [item(0)]})
    setup.post("/assignments/A-0/cancel")
    data = setup.post("/assignments/bulk", {"items": [item(0)]}).json()
    assert data["items"][0]["outcome"] == "updated"
    assert setup.get("/assignments/A-0").json()["status"] == "active"
