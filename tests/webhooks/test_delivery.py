"""Delivery to a real HTTP receiver on loopback: signatures a partner's library verifies,
retries, timeouts, redirects, rotation, leases, disabling."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from compliance_hub.facilities.models import PartnerStaff
from compliance_hub.mailer.models import OutboundEmail
from compliance_hub.webhooks import services
from compliance_hub.webhooks.delivery import CLAIM_SECONDS, claim, deliver_due
from compliance_hub.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.django_db


def _endpoint(partner, url, events=("certificate.issued",)):
    return services.create_endpoint(partner, url=url, events=list(events))


def _issue(partner, external_id="A-1"):
    facility = factories.facility(partner, external_id=f"F-{external_id}")
    return factories.assignment(facility, external_id=external_id)


def _delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.select_related("event").get()


def _make_due() -> None:
    """Time passes: every waiting delivery is due."""
    WebhookDelivery.objects.filter(status="pending").update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_receiver_verifies_the_signed_event_with_the_standardwebhooks_library(partner, receiver):
    _, secret = _endpoint(partner, receiver.url)
    assignment = _issue(partner)

    assert deliver_due() == 1

    [request] = receiver.received
    payload = Webhook(secret).verify(request.body, request.headers)
    number = assignment.current_certificate.number
    assert payload["type"] == "certificate.issued"
    assert payload["data"]["number"] == number
    assert payload["data"]["assignment"] == "A-1"
    assert payload["data"]["status"] == "issued"
    assert set(payload) == {"id", "type", "timestamp", "data"}
    assert request.headers["webhook-id"] == payload["id"]
    assert request.headers["Content-Type"] == "application/json"
    delivery = _delivery()
    assert delivery.status == "delivered" and delivery.attempts == 1
    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.status_code == 200 and attempt.succeeded
    assert attempt.response_excerpt == "thanks"
    assert deliver_due() == 0  # delivered once


def test_a_wrong_secret_or_a_changed_body_fails_verification(partner, receiver):
    _endpoint(partner, receiver.url)
    _issue(partner)
    deliver_due()
    [request] = receiver.received
    with pytest.raises(WebhookVerificationError):
        Webhook(services.generate_secret()).verify(request.body, request.headers)
    endpoint = WebhookEndpoint.objects.get()
    tampered = request.body.replace(b'"issued"', b'"void"')
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(tampered, request.headers)


def test_a_receiver_that_is_down_gets_the_event_later_with_backoff(partner, closed_port):
    _endpoint(partner, f"http://127.0.0.1:{closed_port}/hooks")
    _issue(partner)
    before = timezone.now()

    assert deliver_due() == 1

    delivery = _delivery()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error == "Connection refused"
    assert before < delivery.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    assert deliver_due() == 0  # not due yet
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.failing_since is not None and endpoint.enabled


def test_backoff_grows_and_is_jittered(settings):
    from compliance_hub.webhooks.delivery import backoff

    settings.WEBHOOKS_RETRY_BASE_SECONDS = 30
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 6 * 3600
    waits = {attempts: [backoff(attempts) for _ in range(200)] for attempts in (1, 5, 20)}
    assert max(waits[1]) <= timedelta(seconds=30)
    assert max(waits[5]) <= timedelta(seconds=480) and max(waits[5]) > timedelta(seconds=120)
    assert max(waits[20]) <= timedelta(hours=6)
    assert len(set(waits[5])) > 150  # full jitter: spread, not a fixed delay


def test_a_slow_receiver_times_out_and_is_retried(partner, receiver, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    receiver.delay = 2.5
    _endpoint(partner, receiver.url)
    _issue(partner)

    deliver_due()

    delivery = _delivery()
    assert delivery.status == "pending" and delivery.last_error == "Timed out after 1 s"
    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.status_code is None and 900 <= attempt.latency_ms < 2400
    receiver.delay = 0
    _make_due()
    deliver_due()
    assert _delivery().status == "delivered"
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


def test_a_500_is_recorded_and_retried_until_it_succeeds(partner, receiver):
    receiver.status, receiver.answer = 500, b"database down"
    _endpoint(partner, receiver.url)
    _issue(partner)

    deliver_due()
    delivery = _delivery()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        "pending",
        500,
        "HTTP 500",
    )
    assert DeliveryAttempt.objects.get().response_excerpt == "database down"

    receiver.status, receiver.answer = 204, b""
    _make_due()
    deliver_due()
    delivery = _delivery()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert WebhookEndpoint.objects.get().failing_since is None
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body  # the same event, byte for byte


def test_a_redirect_is_not_followed_and_counts_as_a_failure(partner, receiver):
    receiver.status, receiver.location = 302, f"http://127.0.0.1:{receiver.port}/elsewhere"
    _endpoint(partner, receiver.url)
    _issue(partner)

    deliver_due()

    assert [r.path for r in receiver.received] == ["/hooks"]
    delivery = _delivery()
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert delivery.last_error == "Redirect (302) not followed"


def test_a_delivery_gives_up_after_three_days(partner, receiver):
    receiver.status = 503
    _endpoint(partner, receiver.url)
    _issue(partner)
    WebhookDelivery.objects.update(give_up_at=timezone.now() + timedelta(seconds=1))

    deliver_due()

    assert _delivery().status == "failed"


def test_a_redelivery_carries_the_same_webhook_id(partner, receiver):
    _, secret = _endpoint(partner, receiver.url)
    _issue(partner)
    deliver_due()

    services.redeliver(_delivery())
    assert _delivery().status == "pending"
    deliver_due()

    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert Webhook(secret).verify(second.body, second.headers)["id"] == first.headers["webhook-id"]
    assert [a.manual for a in DeliveryAttempt.objects.order_by("id")] == [False, True]


def test_during_a_rotation_both_secrets_verify_and_afterwards_only_the_new(partner, receiver):
    endpoint, old = _endpoint(partner, receiver.url)
    new = services.rotate_secret(endpoint, overlap_hours=24)
    _issue(partner, "A-1")
    deliver_due()
    [during] = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(during.body, during.headers)
    Webhook(new).verify(during.body, during.headers)

    WebhookEndpoint.objects.update(previous_secret_expires_at=timezone.now())
    _issue(partner, "A-2")
    deliver_due()
    after = receiver.received[1]
    Webhook(new).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


def test_a_rotation_without_overlap_stops_the_old_secret_at_once(partner, receiver):
    endpoint, old = _endpoint(partner, receiver.url)
    new = services.rotate_secret(endpoint, overlap_hours=0)
    _issue(partner)
    deliver_due()
    [request] = receiver.received
    Webhook(new).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(request.body, request.headers)


def test_a_killed_workers_delivery_is_sent_by_the_next_worker_once_its_lease_ends(
    partner, receiver
):
    _endpoint(partner, receiver.url)
    _issue(partner)
    now = timezone.now()
    # A worker claims the delivery and dies before sending it.
    assert len(claim(10, "dead-worker", now)) == 1

    assert deliver_due() == 0  # still leased: nobody else sends it
    assert receiver.received == []

    later = now + timedelta(seconds=CLAIM_SECONDS + 1)
    assert deliver_due(now=later) == 1
    assert len(receiver.received) == 1
    assert _delivery().status == "delivered"


def test_two_workers_never_claim_the_same_delivery(partner, receiver):
    _endpoint(partner, receiver.url)
    for n in range(3):
        _issue(partner, f"A-{n}")
    now = timezone.now()
    first = claim(2, "worker-1", now)
    second = claim(10, "worker-2", now)
    assert len(first) == 2 and len(second) == 1
    assert not set(first) & set(second)


def test_an_endpoint_failing_for_three_days_is_disabled_and_the_partners_staff_told(
    partner, receiver
):
    staff = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=staff)
    receiver.status = 500
    endpoint, _ = _endpoint(partner, receiver.url)
    _issue(partner, "A-1")
    _issue(partner, "A-2")
    WebhookEndpoint.objects.update(failing_since=timezone.now() - timedelta(hours=72, minutes=1))

    deliver_due(limit=1)

    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_at is not None
    assert "72 hours" in endpoint.disabled_reason
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    [mail] = OutboundEmail.objects.filter(to="ops@acme.example")
    assert "disabled" in mail.subject and receiver.url in mail.body_text
    assert f"/partner/webhooks/{endpoint.pk}/" in mail.body_text or "/partner/" in mail.body_text

    _issue(partner, "A-3")  # no delivery for a disabled endpoint
    assert WebhookDelivery.objects.count() == 2
    assert deliver_due() == 0

    services.enable_endpoint(endpoint)
    _issue(partner, "A-4")
    receiver.status = 200
    deliver_due()
    assert WebhookDelivery.objects.filter(status="delivered").count() == 1


def test_failures_for_less_than_three_days_keep_the_endpoint(partner, receiver):
    receiver.status = 500
    _endpoint(partner, receiver.url)
    _issue(partner)
    WebhookEndpoint.objects.update(failing_since=timezone.now() - timedelta(hours=70))
    deliver_due()
    assert WebhookEndpoint.objects.get().enabled


def test_the_body_is_json_with_id_type_timestamp_and_data(partner, receiver):
    _endpoint(partner, receiver.url)
    _issue(partner)
    deliver_due()
    body = json.loads(receiver.received[0].body)
    assert body["id"].startswith("evt_") and body["timestamp"].endswith("Z")


def test_the_worker_runs_the_webhooks_job(partner, receiver):
    from compliance_hub.core.worker import run_once

    _endpoint(partner, receiver.url)
    _issue(partner)
    assert run_once()["webhooks"] == 1
    assert len(receiver.received) == 1


def test_a_delivery_whose_endpoint_was_deleted_meanwhile_is_dropped(partner, receiver):
    from compliance_hub.webhooks.delivery import attempt

    endpoint, _ = _endpoint(partner, receiver.url)
    _issue(partner)
    [pk] = claim(1, "w", timezone.now())
    services.delete_endpoint(endpoint)
    attempt(pk, "w")
    assert receiver.received == []
