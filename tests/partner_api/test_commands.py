"""``compliance-hub create-partner`` and ``create-api-key`` print a working key, last."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compliance_hub.facilities.models import Partner
from tests.partner_api.conftest import Api

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def test_create_partner_prints_a_working_key_on_its_own_last_line():
    lines = _run("create-partner", "Acme Staffing")
    partner = Partner.objects.get(slug="acme-staffing")
    assert partner.name == "Acme Staffing"
    key = lines[-1]
    assert key.startswith("chk_live_") and " " not in key
    assert sum(key in line for line in lines) == 1
    response = Api(key).put("/facilities/FAC-1", {"name": "First facility"})
    assert response.status_code == 201


def test_create_partner_refuses_an_existing_slug():
    _run("create-partner", "Acme Staffing")
    with pytest.raises(CommandError, match="create-api-key acme-staffing"):
        _run("create-partner", "Acme  Staffing")


def test_create_api_key_by_slug_or_id(partner):
    by_slug = _run("create-api-key", partner.slug)[-1]
    by_id = _run("create-api-key", str(partner.pk), "--name", "backup")[-1]
    assert by_slug != by_id
    for key in (by_slug, by_id):
        assert Api(key).get("/facilities").status_code == 200
    assert partner.api_keys.count() == 2


def test_create_api_key_for_unknown_partner_says_which_exist(partner):
    with pytest.raises(CommandError, match=partner.slug):
        _run("create-api-key", "nobody")
