"""``compliance-hub invite EMAIL --facility ID --role primary|member``."""

import io

import pytest
from django.core.management import CommandError, call_command

from compliance_hub.facilities.models import Invitation
from tests import factories
from tests.accounts.helpers import deliver

pytestmark = pytest.mark.django_db


def test_invite_primary_contact(facility):
    second = factories.facility(facility.partner)
    out = io.StringIO()
    call_command(
        "invite",
        "Boss@Example.com",
        "--facility",
        str(facility.pk),
        "--facility",
        str(second.pk),
        "--role",
        "primary",
        stdout=out,
    )
    assert "Invitation sent to boss@example.com" in out.getvalue()
    invitation = Invitation.objects.get()
    assert invitation.role == "primary"
    assert set(invitation.facilities.all()) == {facility, second}
    assert [m.to for m in deliver()] == [["boss@example.com"]]


def test_unknown_facility_is_an_error(facility):
    with pytest.raises(CommandError, match="No facility with id 999999"):
        call_command("invite", "x@example.com", "--facility", "999999", "--role", "member")
    assert Invitation.objects.count() == 0


def test_bad_address_is_an_error(facility):
    with pytest.raises(CommandError, match="Enter an e-mail address"):
        call_command("invite", "nope", "--facility", str(facility.pk), "--role", "member")


def test_bad_role_is_an_error(facility):
    with pytest.raises(CommandError):
        call_command("invite", "x@example.com", "--facility", str(facility.pk), "--role", "owner")
