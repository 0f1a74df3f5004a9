"""``compliance-hub send-mail``."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from compliance_hub.mailer.services import enqueue

pytestmark = pytest.mark.django_db


def test_send_mail_once_sends_everything_due():
    for i in range(3):
        enqueue(
            to=f"p{i}@example.com",
            subject="Hi",
            template="facilities/email/invitation",
            context={
                "person": None,
                "inviter": "X",
                "facilities": [],
                "role": "Team member",
                "link": "/",
            },
        )
    out = io.StringIO()
    call_command("send-mail", "--limit", "2", stdout=out)
    assert "Sent 3 message(s)." in out.getvalue()
    assert len(mail.outbox) == 3
    out = io.StringIO()
    call_command("send-mail", stdout=out)
    assert "Sent 0 message(s)." in out.getvalue()
