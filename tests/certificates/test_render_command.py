"""``compliance-hub render-certificates``: the worker that renders pending certificates."""

import importlib
import os
import signal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from tests import factories

pytestmark = pytest.mark.django_db

COMMAND = "render-certificates"


def pending() -> int:
    return Certificate.objects.filter(rendered_at__isnull=True).count()


def test_renders_every_pending_certificate_in_batches(media, facility):
    for _ in range(5):
        factories.assignment(facility)
    out = StringIO()
    call_command(COMMAND, "--batch", "2", stdout=out)
    assert pending() == 0
    assert "Rendered 5 certificate(s); 0 failed." in out.getvalue()


def test_an_error_on_one_certificate_is_logged_and_does_not_stop_the_batch(
    media, facility, monkeypatch, caplog
):
    certificates = []
    for _ in range(4):
        a = factories.assignment(facility)
        a.refresh_from_db()
        certificates.append(a.current_certificate)
    bad = certificates[1]
    real = documents.render_pdf

    def flaky(certificate):
        if certificate.pk == bad.pk:
            raise ValueError("broken snapshot")
        return real(certificate)

    monkeypatch.setattr(documents, "render_pdf", flaky)
    out = StringIO()
    call_command(COMMAND, "--batch", "2", stdout=out)
    assert "Rendered 3 certificate(s); 1 failed." in out.getvalue()
    assert list(Certificate.objects.filter(rendered_at__isnull=True)) == [bad]
    assert bad.number in caplog.text and "broken snapshot" in caplog.text


def test_forever_keeps_polling_until_sigterm(media, facility, monkeypatch):
    command = importlib.import_module(
        "compliance_hub.certificates.management.commands.render-certificates"
    )
    before = signal.getsignal(signal.SIGTERM)
    factories.assignment(facility)
    sleeps = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 1:
            factories.assignment(facility)  # new work arrives while idle
        else:
            os.kill(os.getpid(), signal.SIGTERM)  # as a process manager stops the worker

    monkeypatch.setattr(command.time, "sleep", fake_sleep)
    out = StringIO()
    call_command(COMMAND, "--forever", "--sleep", "0.5", stdout=out)
    assert pending() == 0
    assert sleeps == [0.5, 0.5]
    assert "Rendered 2 certificate(s); 0 failed." in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) is before  # handler restored


def test_batch_must_be_positive():
    with pytest.raises(CommandError):
        call_command(COMMAND, "--batch", "0")
