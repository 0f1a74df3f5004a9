"""Bearer keys: 401 for missing, unknown or revoked keys; 429 with Retry-After over the limit."""

import pytest
from django.test import Client

from compliance_hub.partner_api import keys
from tests.partner_api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer chk_live_AAAAAAAA_not-a-real-key",
        "Bearer not-even-our-format",
    ],
)
def test_missing_or_unknown_key_is_401_problem(header):
    headers = {"Authorization": header} if header is not None else {}
    response = Client().get("/api/v1/facilities", headers=headers)
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "API key" in body["detail"]


def test_revoked_key_is_401_like_an_unknown_one(partner):
    key, raw = keys.create_key(partner)
    api = Api(raw)
    assert api.get("/facilities").status_code == 200
    keys.revoke_key(key)
    revoked = api.get("/facilities")
    unknown = Api("chk_live_AAAAAAAA_unknown").get("/facilities")
    assert_problem(revoked, 401)
    assert revoked.json() == unknown.json()


def test_writes_without_a_key_are_401_and_write_nothing(partner):
    response = Client().put(
        "/api/v1/facilities/FAC-1", {"name": "X"}, content_type="application/json"
    )
    assert_problem(response, 401)
    assert not partner.facilities.exists()


def test_scheme_is_case_insensitive(partner):
    _, raw = keys.create_key(partner)
    response = Client().get("/api/v1/facilities", headers={"Authorization": f"bearer {raw}"})
    assert response.status_code == 200


def test_docs_and_schema_need_no_key():
    assert Client().get("/api/v1/openapi.json").status_code == 200
    assert Client().get("/api/v1/docs").status_code == 200


def test_rate_limit_per_key_answers_429_with_retry_after(partner, other_api, settings):
    settings.PARTNER_API_RATE_PER_MINUTE = 3
    _, raw = keys.create_key(partner)
    api = Api(raw)
    for _ in range(3):
        assert api.get("/facilities").status_code == 200
    limited = api.get("/facilities")
    body = assert_problem(limited, 429)
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert body["type"].endswith("rate-limited")
    # Writes are limited too, and write nothing.
    put = api.put("/facilities/FAC-1", {"name": "Not written"})
    assert_problem(put, 429)
    assert not partner.facilities.exists()
    # Another partner's key has its own budget.
    assert other_api.get("/facilities").status_code == 200
