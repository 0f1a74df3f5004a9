"""The generated OpenAPI 3 document and the interactive docs at /api/v1/docs."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("put", "/api/v1/facilities/{external_id}"),
    ("get", "/api/v1/facilities/{external_id}"),
    ("get", "/api/v1/facilities"),
    ("get", "/api/v1/facilities/{external_id}/settings"),
    ("put", "/api/v1/facilities/{external_id}/settings"),
    ("put", "/api/v1/contractors/{external_id}"),
    ("get", "/api/v1/contractors/{external_id}"),
    ("get", "/api/v1/contractors"),
    ("put", "/api/v1/assignments/{external_id}"),
    ("get", "/api/v1/assignments/{external_id}"),
    ("get", "/api/v1/assignments"),
    ("post", "/api/v1/assignments/bulk"),
    ("post", "/api/v1/assignments/{external_id}/cancel"),
    ("get", "/api/v1/assignments/{external_id}/certificates"),
    ("get", "/api/v1/certificates/{number}"),
    ("get", "/api/v1/certificates/{number}/pdf"),
    ("get", "/api/v1/facilities/{external_id}/members"),
    ("delete", "/api/v1/facilities/{external_id}/members/{member_id}"),
    ("get", "/api/v1/facilities/{external_id}/invitations"),
    ("post", "/api/v1/facilities/{external_id}/invitations"),
    ("delete", "/api/v1/facilities/{external_id}/invitations/{invitation_id}"),
    ("get", "/api/v1/program"),
    ("put", "/api/v1/program/representative"),
    ("put", "/api/v1/program/coverage-lines/{line_id}"),
    ("post", "/api/v1/webhook-endpoints"),
    ("get", "/api/v1/webhook-endpoints"),
    ("get", "/api/v1/webhook-endpoints/{endpoint_id}"),
    ("patch", "/api/v1/webhook-endpoints/{endpoint_id}"),
    ("delete", "/api/v1/webhook-endpoints/{endpoint_id}"),
    ("post", "/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret"),
    ("get", "/api/v1/events"),
}


@pytest.fixture
def spec():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_resource_operation_is_documented(spec):
    assert spec["openapi"].startswith("3.")
    found = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    assert found == OPERATIONS


def test_every_operation_needs_the_bearer_key(spec):
    schemes = spec["components"]["securitySchemes"]
    [(name, scheme)] = schemes.items()
    assert scheme == {"type": "http", "scheme": "bearer"}
    for ops in spec["paths"].values():
        for op in ops.values():
            assert op["security"] == [{name: []}]


def test_errors_are_documented_as_problem_json(spec):
    for ops in spec["paths"].values():
        for op in ops.values():
            errors = {int(s): r for s, r in op["responses"].items() if int(s) >= 400}
            assert {401, 422, 429} <= set(errors)
            for answer in errors.values():
                assert list(answer["content"]) == ["application/problem+json"]
                ref = answer["content"]["application/problem+json"]["schema"]["$ref"]
                assert ref.endswith("/Problem")


def test_posts_document_the_idempotency_key(spec):
    for path, ops in spec["paths"].items():
        if "post" in ops:
            names = [p["name"] for p in ops["post"].get("parameters", [])]
            assert "Idempotency-Key" in names, path


def test_pdf_is_documented_as_binary(spec):
    answer = spec["paths"]["/api/v1/certificates/{number}/pdf"]["get"]["responses"]["200"]
    assert answer["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
    }


def test_docs_page_uses_local_assets_and_no_inline_code():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources and all(src.startswith("/static/ninja/") for src in sources)
    for attrs, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs
    assert "cdn" not in html.lower()
    for src in sources:
        assert Client().get(src).status_code == 200
