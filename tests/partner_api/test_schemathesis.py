"""Property-based run of the generated OpenAPI schema (schemathesis) against the real app.

Every operation is called with generated valid and invalid input, authenticated with a real
API key, through the WSGI app: no response may be a 5xx, and each must match the schema
(documented status code, content type, headers and body). SCHEMATHESIS_EXAMPLES=400 runs
longer (default 50 examples per operation).
"""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from compliance_hub.partner_api.keys import create_key
from tests import factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded at collection: the schema is generated from code and needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.fixture(autouse=True)
def _keep_test_connection_open():
    """As Django's test client does: requests must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(django_settings_for_fuzzing):
    partner = factories.partner(slug="fuzz")
    facility = factories.facility(partner, external_id="FAC-1")
    contractor = factories.contractor(partner, external_id="C-1")
    factories.assignment(facility, contractor, external_id="A-1")
    factories.member(facility)
    _, raw = create_key(partner, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def django_settings_for_fuzzing(settings):
    settings.PARTNER_API_RATE_PER_MINUTE = 1_000_000
    settings.INVITATION_RATE_PER_INVITER = 1_000_000


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, auth_header):
    case.call_and_validate(headers=auth_header, checks=CHECKS)
