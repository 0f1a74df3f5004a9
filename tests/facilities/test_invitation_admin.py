"""Operators invite from the admin: the same rules, token, e-mail and activity as everywhere."""

import pytest
from django.test import Client

from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import Invitation
from tests import factories
from tests.accounts.helpers import deliver, path_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client():
    operator = factories.person("root@hub.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    return client


def test_add_invitation_in_admin_sends_the_magic_link(operator_client, facility):
    response = operator_client.post(
        "/admin/facilities/invitation/add/",
        {
            "email": "Chief@Example.com",
            "name": "Chief",
            "role": "primary",
            "facilities": [facility.pk],
        },
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "chief@example.com" and invitation.role == "primary"
    assert list(invitation.facilities.all()) == [facility]
    [message] = deliver()
    assert path_in(message.body).startswith("/invitations/")
    assert Activity.objects.get(verb="invited").actor_label == "operator"


def test_add_invitation_errors_are_shown_and_nothing_written(operator_client, facility):
    member = factories.member(facility)
    response = operator_client.post(
        "/admin/facilities/invitation/add/",
        {"email": member.email, "role": "member", "facilities": [facility.pk]},
    )
    assert response.status_code == 200
    assert "already has this access" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_resend_and_revoke_actions(operator_client, facility):
    operator_client.post(
        "/admin/facilities/invitation/add/",
        {"email": "x@example.com", "role": "member", "facilities": [facility.pk]},
    )
    deliver()
    invitation = Invitation.objects.get()
    operator_client.post(
        "/admin/facilities/invitation/",
        {"action": "resend_invitations", "_selected_action": [invitation.pk]},
    )
    assert [m.to for m in deliver()] == [["x@example.com"]]
    operator_client.post(
        "/admin/facilities/invitation/",
        {"action": "revoke_invitations", "_selected_action": [invitation.pk]},
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
