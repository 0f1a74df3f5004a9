"""Operators see failed e-mail in the admin and can send it again."""

import pytest
from django.test import Client

from compliance_hub.mailer.models import OutboundEmail
from compliance_hub.mailer.services import enqueue, send_due
from tests import factories
from tests.mailer.smtp import free_port, use_smtp

pytestmark = pytest.mark.django_db


def _operator_client() -> Client:
    operator = factories.person("root@hub.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    return client


def test_failed_message_is_visible_with_its_error(settings):
    use_smtp(settings, free_port())
    message = enqueue(
        to="stuck@example.com",
        subject="Stuck message",
        template="facilities/email/invitation",
        context={
            "person": None,
            "inviter": "X",
            "facilities": [],
            "role": "Team member",
            "link": "/",
        },
    )
    send_due()
    client = _operator_client()
    listing = client.get("/admin/mailer/outboundemail/?problem=yes")
    assert listing.status_code == 200
    assert "stuck@example.com" in listing.content.decode()
    assert "Connection refused" in listing.content.decode() or "Errno" in listing.content.decode()
    detail = client.get(f"/admin/mailer/outboundemail/{message.pk}/change/")
    assert "Connection refused" in detail.content.decode() or "Errno" in detail.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(
        "/admin/mailer/outboundemail/",
        {"action": "retry", "_selected_action": [message.pk]},
        follow=True,
    )
    assert "1 message(s) queued to be sent again." in response.content.decode()
    assert send_due() == 1
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT


def test_outbox_is_read_only_in_admin():
    client = _operator_client()
    assert client.get("/admin/mailer/outboundemail/add/").status_code == 403
