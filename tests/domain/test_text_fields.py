"""Every free-text field of the domain models refuses bidirectional control characters, so no
path (API, console, admin, a command) can store a name that reads as something it is not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.certificates.models import Assignment, Contractor
from compliance_hub.core.text import BIDI_CONTROLS
from compliance_hub.facilities.models import CoverageLine, Facility, Insurer, Invitation, Partner
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = [Partner, Insurer, CoverageLine, Facility, Contractor, Assignment, Invitation]
TEXT_FIELDS = [
    (model, field.name)
    for model in MODELS
    for field in model._meta.fields
    if isinstance(field, models.CharField | models.TextField)
    and field.editable
    and not field.choices
]


@pytest.fixture
def rows(partner):
    facility = factories.facility(partner)
    invitation = Invitation.objects.create(
        email="pat@example.com", name="Pat Kim", expires_at=timezone.now() + timedelta(days=7)
    )
    return {
        Partner: partner,
        Insurer: partner.insurers.get(),
        CoverageLine: partner.coverage_lines.get(),
        Facility: facility,
        Contractor: factories.contractor(partner),
        Assignment: factories.assignment(facility),
        Invitation: invitation,
    }


def test_the_text_fields_include_every_name_address_and_description():
    names = {f"{model.__name__}.{name}" for model, name in TEXT_FIELDS}
    assert {
        "Partner.name",
        "Partner.producer_name",
        "Partner.producer_address",
        "Insurer.name",
        "CoverageLine.policy_number",
        "Facility.name",
        "Facility.address_line1",
        "Contractor.first_name",
        "Contractor.last_name",
        "Contractor.email",
        "Contractor.city",
        "Assignment.description",
        "Invitation.name",
    } <= names


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    target=st.sampled_from(TEXT_FIELDS),
    mark=st.sampled_from(sorted(BIDI_CONTROLS)),
    data=st.data(),
)
def test_a_model_refuses_bidi_controls_in_any_text_field(rows, target, mark, data):
    model, name = target
    row = model.objects.get(pk=rows[model].pk)
    value = getattr(row, name)
    at = data.draw(st.integers(0, len(value)), label="position")
    setattr(row, name, value[:at] + mark + value[at:])
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert name in refused.value.message_dict


def test_the_admin_cannot_store_them_either(facility):
    operator = factories.person("root@hub.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    url = f"/admin/facilities/facility/{facility.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("created_at", "updated_at")
    }
    now = timezone.now()
    for name in ("created_at", "updated_at"):
        data[f"{name}_0"], data[f"{name}_1"] = now.date().isoformat(), "09:00:00"
    data["name"] = "Evil\u202egnp.exe"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    facility.refresh_from_db()
    assert "\u202e" not in facility.name
