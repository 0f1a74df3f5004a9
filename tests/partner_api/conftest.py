import pytest
from django.core.cache import cache
from django.test import Client

from compliance_hub.partner_api.keys import create_key
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


class Api:
    """A test client that speaks JSON to /api/v1/ with one partner's API key."""

    def __init__(self, raw_key: str):
        self.client = Client()
        self.raw_key = raw_key

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.raw_key}", **(headers or {})}

    def get(self, path, params=None, headers=None):
        return self.client.get("/api/v1" + path, params or {}, headers=self._headers(headers))

    def put(self, path, body, headers=None):
        return self.client.put(
            "/api/v1" + path, body, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path, body=None, headers=None):
        return self.client.post(
            "/api/v1" + path,
            body if body is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
        )

    def delete(self, path, headers=None):
        return self.client.delete("/api/v1" + path, headers=self._headers(headers))


@pytest.fixture
def api(partner):
    _, raw = create_key(partner, name="tests")
    return Api(raw)


@pytest.fixture
def other_partner():
    return factories.partner()


@pytest.fixture
def other_api(other_partner):
    _, raw = create_key(other_partner, name="other")
    return Api(raw)


def assert_problem(response, status, field=None):
    """The response is problem+json with ``status``; with ``field``, that field is named."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if field is not None:
        fields = [e["field"] for e in body["errors"]]
        assert field in fields, fields
    return body
