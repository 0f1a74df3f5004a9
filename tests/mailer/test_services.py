"""The outbox: stored with the action, rendered from templates, retried, marked sent once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from compliance_hub.mailer.models import OutboundEmail
from compliance_hub.mailer.services import backoff, enqueue, retry_now, send_due
from tests.mailer.smtp import free_port, use_smtp

pytestmark = pytest.mark.django_db

CONTEXT = {
    "person": None,
    "link": "http://testserver/sign-in/abc/",
    "code": "ABCD-2345",
    "valid_for": "10 minutes",
}


def _enqueue(**kw):
    args = {"to": "a@example.com", "subject": "Hi", "template": "accounts/email/sign_in"}
    args.update(kw)
    return enqueue(context=CONTEXT, **args)


def test_enqueue_renders_text_and_html_without_escaping_text():
    message = enqueue(
        to="a@example.com",
        subject="Access to St. Mary's\nRegional",
        template="facilities/email/invitation",
        context={
            "person": None,
            "inviter": "O'Brien & Sons",
            "facilities": [],
            "role": "Team member",
            "link": "http://testserver/sign-in/",
        },
    )
    assert message.subject == "Access to St. Mary's Regional"  # one line
    assert "O'Brien & Sons" in message.body_text
    assert "O&#x27;Brien &amp; Sons" in message.body_html
    assert message.status == OutboundEmail.Status.PENDING
    assert message.message_id.startswith("<") and message.message_id.endswith("@testserver>")


def test_nothing_is_stored_when_the_action_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        _enqueue()
        raise RuntimeError("the action failed")
    assert OutboundEmail.objects.count() == 0


def test_send_due_sends_once_and_erases_sensitive_bodies():
    plain = _enqueue(to="plain@example.com")
    secret = _enqueue(to="secret@example.com", sensitive=True)
    assert send_due() == 2
    assert send_due() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["plain@example.com", "secret@example.com"]
    sent = mail.outbox[0]
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.alternatives[0][1] == "text/html"
    plain.refresh_from_db()
    secret.refresh_from_db()
    assert plain.status == secret.status == OutboundEmail.Status.SENT
    assert "ABCD-2345" in plain.body_text
    assert secret.body_text == "" and secret.body_html == ""
    assert plain.attempts == secret.attempts == 1


def test_send_due_respects_the_limit():
    for i in range(5):
        _enqueue(to=f"p{i}@example.com")
    assert send_due(limit=2) == 2
    assert OutboundEmail.objects.filter(status="pending").count() == 3


def test_backoff_doubles_and_is_capped(settings):
    settings.MAIL_RETRY_BASE_SECONDS = 30
    settings.MAIL_RETRY_MAX_SECONDS = 3600
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == timedelta(hours=1)


def test_gives_up_after_max_attempts_and_operator_can_retry(settings):
    settings.MAIL_MAX_ATTEMPTS = 2
    use_smtp(settings, free_port())
    message = _enqueue()
    send_due()
    send_due(now=timezone.now() + timedelta(hours=2))
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.FAILED
    assert message.attempts == 2 and message.last_error
    assert send_due(now=timezone.now() + timedelta(days=30)) == 0  # no longer tried
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_now([message.pk]) == 1
    assert send_due() == 1
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT


def test_transport_failure_stops_the_batch(settings):
    use_smtp(settings, free_port())
    first, second = _enqueue(to="one@example.com"), _enqueue(to="two@example.com")
    send_due()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.attempts == 1
    assert second.attempts == 0  # not charged for the server being down


def test_send_on_commit_in_the_demo(settings, django_capture_on_commit_callbacks):
    settings.MAIL_SEND_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue(to="demo@example.com")
        assert mail.outbox == []  # not before the commit
    assert [m.to for m in mail.outbox] == [["demo@example.com"]]
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT


def test_send_on_commit_failure_does_not_break_the_action(
    settings, django_capture_on_commit_callbacks
):
    settings.MAIL_SEND_ON_COMMIT = True
    use_smtp(settings, free_port())
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue()
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.PENDING and message.attempts == 1


def test_message_claimed_by_a_crashed_worker_is_sent_after_the_claim_expires():
    message = _enqueue()
    now = timezone.now()
    OutboundEmail.objects.filter(pk=message.pk).update(
        claimed_by="dead-worker", claimed_until=now + timedelta(minutes=5)
    )
    assert send_due() == 0  # another worker holds it
    assert send_due(now=now + timedelta(minutes=6)) == 1  # the claim ran out: picked up
    assert len(mail.outbox) == 1
