import os
import signal
import time
from datetime import date
from itertools import pairwise

import pytest
from django.core import mail
from django.core.management import call_command
from django.http import QueryDict

from compliance_hub.certificates.models import Assignment
from compliance_hub.certificates.names_backfill import backfill_search_names
from compliance_hub.certificates.queries import filtered_assignments, parse_filters
from compliance_hub.core.worker import run_once, run_until_stopped
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


def test_a_round_names_assignments_a_previous_version_left_unnamed(facility, capsys):
    """During an upgrade the old code inserts assignments without a search name (the column's
    default): the worker copies the contractor's, and first-name search finds them."""
    zoe = factories.contractor(facility.partner, "Zoë", "O'Neil")
    assignment = factories.assignment(facility, zoe, effective=date(2026, 3, 2))
    Assignment.objects.filter(pk=assignment.pk).update(search_name="")
    filters, _ = parse_filters(QueryDict("q=zoe"))
    assert list(filtered_assignments(facility, filters)) == []

    call_command("worker", "--once")

    assert "'names': 1" in capsys.readouterr().out
    assert [a.pk for a in filtered_assignments(facility, filters)] == [assignment.pk]


def test_a_name_that_folds_to_nothing_is_not_work_forever(facility):
    dashes = factories.contractor(facility.partner, "—", "—")
    assignment = factories.assignment(facility, dashes, effective=date(2026, 3, 2))
    assert Assignment.objects.get(pk=assignment.pk).search_name == ""
    assert backfill_search_names() == 0  # so the worker goes idle


def _done(batch: int) -> int:
    return batch


def _broken(batch: int) -> int:
    raise RuntimeError("job failed")


def test_the_jobs_are_the_ones_settings_name_and_a_failure_stops_none(settings, caplog):
    """``core`` imports no app: the worker runs the dotted paths in WORKER_JOBS."""
    settings.WORKER_JOBS = {
        "broken": "tests.core.test_worker._broken",
        "done": "tests.core.test_worker._done",
    }
    assert run_once(batch=7) == {"broken": 0, "done": 7}
    assert "worker job broken failed" in caplog.text


@pytest.fixture
def signals():
    """The test process's own SIGTERM and SIGINT handlers, put back afterwards."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in before.items():
        signal.signal(sig, handler)


def test_the_loop_waits_only_after_an_idle_round_and_stops_on_sigterm(signals):
    results, calls = [2, 0, 1, 0], []

    def one_round():
        calls.append(time.monotonic())
        if len(calls) == len(results):
            os.kill(os.getpid(), signal.SIGTERM)  # as a process manager stops the worker
        return results[len(calls) - 1]

    run_until_stopped(one_round, interval=0.3)
    gaps = [later - earlier for earlier, later in pairwise(calls)]
    assert len(calls) == 4
    assert gaps[0] < 0.3 <= gaps[1] and gaps[2] < 0.3  # work found: the next round at once
