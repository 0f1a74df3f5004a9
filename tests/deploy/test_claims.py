"""A worker's claim on an e-mail lasts ``MAIL_CLAIM_SECONDS`` from the moment it claims it.

Before, the lease ran from the start of the worker's batch: in a batch slower than the lease,
a message claimed late got a lease that had already expired, and a second worker could take
it (and send it again) while the first was still sending it. test_many_workers.py runs real
workers; this is the race made deterministic in one process.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from compliance_hub.mailer import services
from compliance_hub.mailer.models import OutboundEmail

taken_by_the_other_worker: list[int] = []


class RacingBackend(BaseEmailBackend):
    """While the first worker sends, a second worker runs its own round."""

    busy = False

    def send_messages(self, email_messages: Any) -> int:
        if not RacingBackend.busy:
            RacingBackend.busy = True
            try:
                taken_by_the_other_worker.append(services.send_due())
            finally:
                RacingBackend.busy = False
        return len(email_messages)


@pytest.mark.django_db
def test_a_message_claimed_late_in_a_slow_batch_is_not_taken_by_another_worker(settings):
    settings.EMAIL_BACKEND = "tests.deploy.test_claims.RacingBackend"
    settings.MAIL_CLAIM_SECONDS = 60
    message = OutboundEmail.objects.create(
        to="someone@example.com",
        subject="Hello",
        body_text="Hello.",
        template="test/claims",
        message_id="<claims-1@hub.test>",
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    taken_by_the_other_worker.clear()
    batch_started = timezone.now() - timedelta(seconds=120)  # two lease lengths ago

    sent = services.send_messages([message.pk], now=batch_started)

    assert sent == 1
    assert taken_by_the_other_worker == [0]  # the second worker found it claimed
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT
