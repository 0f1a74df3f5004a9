"""``compliance-hub send-mail``."""

import importlib
import io
import os
import signal

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


def test_forever_sends_until_stopped_and_carries_on_after_a_failure(monkeypatch):
    command = importlib.import_module("compliance_hub.mailer.management.commands.send-mail")
    answers = [2, RuntimeError("database gone"), 0]

    def send_due(limit):
        answer = answers.pop(0)
        if not answers:
            os.kill(os.getpid(), signal.SIGTERM)
        if isinstance(answer, Exception):
            raise answer
        return answer

    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    monkeypatch.setattr(command, "send_due", send_due)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("send-mail", "--forever", "--interval", "0.01", stdout=out, stderr=err)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert out.getvalue().splitlines() == [
        "Sending e-mail from the outbox; stop with Ctrl-C.",
        "Sent 2 message(s).",
        "Stopped.",
    ]
    assert "send-mail: RuntimeError: database gone" in err.getvalue()
    assert answers == []
