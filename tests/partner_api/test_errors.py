"""Every error is RFC 9457 problem+json, including the framework's own ones."""

import json

import pytest

from compliance_hub.partner_api.api import facilities as facilities_api
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400(api, partner):
    response = api.client.put(
        "/api/v1/facilities/FAC-1",
        b'{"name": "St Mary',
        content_type="application/json",
        headers=api._headers(None),
    )
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]
    assert not partner.facilities.exists()


def test_unknown_address_under_api_is_404_problem(api):
    assert_problem(api.get("/no-such-thing"), 404)
    assert_problem(api.client.get("/api/v1/"), 404)
    assert_problem(api.post("/no-such-thing", {}), 404)


def test_wrong_method_is_405_problem_with_allow(api):
    response = api.delete("/facilities/FAC-1")
    body = assert_problem(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PUT"}
    assert "GET" in body["detail"]


def test_body_over_the_limit_is_413_before_it_is_read(api, partner, settings):
    settings.PARTNER_API_MAX_BODY = 1000
    big = json.dumps({"name": "x" * 2000})
    response = api.client.put(
        "/api/v1/facilities/FAC-1",
        big,
        content_type="application/json",
        headers=api._headers(None),
    )
    body = assert_problem(response, 413)
    assert "1000" in body["detail"]
    assert not partner.facilities.exists()


def test_default_limit_is_two_mebibytes(api):
    items = [{"external_id": f"A-{i}", "facility": "F", "contractor": "C"} for i in range(1)]
    payload = json.dumps({"items": items, "pad": "x" * (2 * 1024 * 1024)})
    response = api.client.post(
        "/api/v1/assignments/bulk",
        payload,
        content_type="application/json",
        headers=api._headers(None),
    )
    assert_problem(response, 413)


def test_framework_validation_errors_are_problems_with_fields(api):
    response = api.put("/facilities/FAC-1", {"name": "", "address": {"country": "usa"}, "x": 1})
    body = assert_problem(response, 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"name", "address.country", "x"}
    assert body["type"].endswith("validation-error")


def test_body_that_is_not_an_object_is_422(api):
    response = api.put("/facilities/FAC-1", [1, 2])
    assert_problem(response, 422)


def test_query_validation_is_422(api):
    body = assert_problem(api.get("/assignments", {"limit": "0"}), 422, field="limit")
    assert body["errors"][0]["message"]
    assert_problem(api.get("/assignments", {"effective_from": "01/02/2026"}), 422, "effective_from")


def test_unexpected_failure_is_500_problem_and_writes_nothing(api, partner, monkeypatch):
    def broken(*args, **kwargs):
        partner.facilities.create(external_id="HALF", name="Half-written")
        raise RuntimeError("boom")

    monkeypatch.setattr(facilities_api.services, "upsert_facility", broken)
    response = api.put("/facilities/FAC-1", {"name": "St Mary"})
    body = assert_problem(response, 500)
    assert "boom" not in body["detail"]
    assert not partner.facilities.exists()


def test_responses_are_not_cached(api):
    assert "no-store" in api.get("/facilities")["Cache-Control"].split(", ")
