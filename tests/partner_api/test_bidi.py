"""Bidirectional control characters (U+202E and its kin) make a name read as something it is
not. Every free-text field of every write endpoint refuses them, single and bulk, new object
or existing one: 422 problem+json naming the field, and nothing is written."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.certificates.models import Assignment, Certificate, Contractor
from compliance_hub.core.text import BIDI_CONTROLS
from compliance_hub.facilities.models import Facility, Invitation
from tests import factories
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db
MANY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ADDRESS = {
    "line1": "1200 Mercy Way",
    "line2": "Building B",
    "city": "Columbus",
    "region": "OH",
    "postal_code": "43215",
}
ADDRESS_FIELDS = [("address", name) for name in ADDRESS]
ITEM = {
    "facility": "F-1",
    "contractor": "C-1",
    "effective_date": "2026-03-01",
    "end_date": "2026-03-02",
    "description": "Registered nurse, night shift",
}

# (method, path, body, text fields as key paths into the body)
ENDPOINTS = [
    (
        "put",
        "/facilities/{id}",
        {"name": "St. Mary's Regional", "address": ADDRESS},
        [("name",), *ADDRESS_FIELDS],
    ),
    (
        "put",
        "/contractors/{id}",
        {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "address": ADDRESS},
        [("first_name",), ("last_name",), ("email",), *ADDRESS_FIELDS],
    ),
    ("put", "/assignments/{id}", ITEM, [("description",)]),
    (
        "post",
        "/assignments/bulk",
        {"items": [{**ITEM, "external_id": f"A-{i}"} for i in (1, 2, 3)]},  # A-1 exists
        [("items", i, "description") for i in range(3)],
    ),
    (
        "post",
        "/facilities/F-1/invitations",
        {"email": "pat.kim@example.com", "name": "Pat Kim"},
        [("name",), ("email",)],
    ),
]


@pytest.fixture
def world(partner):
    """F-1/C-1/A-1 exist (updates); other ids are new (creates)."""
    facility = factories.facility(partner, external_id="F-1")
    factories.contractor(partner, external_id="C-1")
    factories.assignment(facility, external_id="A-1")
    return facility


def state() -> list:
    rows = [
        Facility.objects.values_list(),
        Contractor.objects.values_list(),
        Assignment.objects.values_list(),
        Certificate.objects.values_list("pk", "status"),
        Invitation.objects.values_list(),
    ]
    return [sorted(map(repr, r)) for r in rows]


def field_name(path: tuple) -> str:
    """``("items", 2, "description")`` -> ``items[2].description``, as problems name fields."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@MANY
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    data=st.data(),
    marks=st.lists(st.sampled_from(sorted(BIDI_CONTROLS)), min_size=1, max_size=3),
    existing=st.booleans(),
)
def test_bidi_controls_anywhere_in_any_text_field_are_refused(
    api, world, endpoint, data, marks, existing
):
    method, path, body, fields = endpoint
    text_path = data.draw(st.sampled_from(fields), label="field")
    body = copy.deepcopy(body)
    parent = body
    for key in text_path[:-1]:
        parent = parent[key]
    value = parent[text_path[-1]]
    at = data.draw(st.integers(0, len(value)), label="position")
    parent[text_path[-1]] = value[:at] + "".join(marks) + value[at:]
    prefix = {"/facilities/{id}": "F", "/contractors/{id}": "C"}.get(path, "A")
    url = path.replace("{id}", f"{prefix}-1" if existing else f"{prefix}-NEW")
    before = state()

    response = getattr(api, method)(url, body)

    assert_problem(response, 422, field=field_name(text_path))
    assert state() == before
