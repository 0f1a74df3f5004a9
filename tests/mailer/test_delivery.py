"""Durable delivery against a real SMTP server on loopback: down, then up, exactly once."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from compliance_hub.mailer.models import OutboundEmail
from compliance_hub.mailer.services import enqueue, send_due
from tests.mailer.smtp import LoopbackSMTP, free_port, text_body, use_smtp

pytestmark = pytest.mark.slow


def _message(to: str = "ops@example.com") -> OutboundEmail:
    return enqueue(
        to=to,
        subject="Hello",
        template="accounts/email/sign_in",
        context={
            "person": None,
            "link": "http://testserver/x/",
            "code": "ABCD-2345",
            "valid_for": "10 minutes",
        },
    )


@pytest.mark.django_db
def test_smtp_down_then_up_delivers_exactly_once(settings):
    port = free_port()
    use_smtp(settings, port)  # nothing listens there: the server is "down"
    message = _message()

    assert send_due() == 0
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.PENDING
    assert message.attempts == 1
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    assert message.next_attempt_at > timezone.now()  # backing off
    assert send_due() == 0  # not due yet: no new attempt
    message.refresh_from_db()
    assert message.attempts == 1

    later = message.next_attempt_at + timedelta(seconds=1)
    assert send_due(now=later) == 0  # still down
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at - later >= timedelta(
        seconds=settings.MAIL_RETRY_BASE_SECONDS * 2
    )

    server = LoopbackSMTP(port=port)  # the server comes back
    server.start()
    try:
        assert send_due(now=message.next_attempt_at + timedelta(seconds=1)) == 1
        assert send_due(now=message.next_attempt_at + timedelta(days=1)) == 0
        assert len(server.messages) == 1
        assert "ABCD-2345" in text_body(server.messages[0])
    finally:
        server.stop()
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT
    assert message.attempts == 3
    assert message.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_message_once(settings):
    server = LoopbackSMTP()
    server.start()
    use_smtp(settings, server.port)
    try:
        for i in range(12):
            _message(f"person{i}@example.com")
        barrier = threading.Barrier(3)
        counts: list[int] = []
        errors: list[Exception] = []

        def worker():
            from django.db import connections

            try:
                barrier.wait(timeout=30)
                counts.append(send_due())
            except Exception as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        assert sum(counts) == 12
        assert sorted(m["To"] for m in server.messages) == sorted(
            f"person{i}@example.com" for i in range(12)
        )
        assert OutboundEmail.objects.filter(status="sent").count() == 12
    finally:
        server.stop()


@pytest.mark.django_db
def test_message_rejected_by_server_is_retried_and_visible(settings):
    server = LoopbackSMTP()

    async def refuse(srv, session, envelope):
        return "451 Try again later"

    server.collector.handle_DATA = refuse
    server.start()
    use_smtp(settings, server.port)
    try:
        message = _message()
        assert send_due() == 0
    finally:
        server.stop()
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.PENDING
    assert "451" in message.last_error
