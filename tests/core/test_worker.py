from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from compliance_hub.mailer.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db


def test_one_round_sends_mail_and_renders_pending_certificates(facility, capsys):
    assignment = factories.assignment(facility, effective=date(2026, 3, 2))
    OutboundEmail.objects.create(
        to="someone@example.com",
        subject="Hello from the outbox",
        body_text="Hello",
        template="test",
        message_id="<worker-test@example.com>",
    )
    cert = assignment.current_certificate
    assert cert.rendered_at is None

    call_command("worker", "--once")

    cert.refresh_from_db()
    assert cert.rendered_at is not None and len(cert.sha256) == 64
    assert [m.subject for m in mail.outbox] == ["Hello from the outbox"]
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
    assert "'mail': 1, 'certificates': 1" in capsys.readouterr().out
