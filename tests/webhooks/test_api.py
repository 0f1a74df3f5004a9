"""The partner API for webhooks: register, list, change, rotate, delete; the event feed."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from compliance_hub.activity.kinds import headline
from compliance_hub.activity.models import Activity
from compliance_hub.partner_api.keys import create_key
from compliance_hub.partner_api.models import IdempotencyRecord
from compliance_hub.webhooks.delivery import deliver_due
from compliance_hub.webhooks.models import WebhookEndpoint
from tests import factories
from tests.partner_api.conftest import Api, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(partner):
    _, raw = create_key(partner, name="tests")
    return Api(raw)


@pytest.fixture
def other_api():
    _, raw = create_key(factories.partner(), name="other")
    return Api(raw)


def _patch(api: Api, path: str, body: dict):
    return api.client.patch(
        "/api/v1" + path, body, content_type="application/json", headers=api._headers(None)
    )


def _create(api: Api, url: str, events=("certificate.issued", "certificate.voided")):
    return api.post("/webhook-endpoints", {"url": url, "events": list(events)})


def test_registering_returns_the_secret_once_and_the_receiver_verifies_with_it(
    api, partner, receiver
):
    response = _create(api, receiver.url)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["certificate.issued", "certificate.voided"]
    assert created["enabled"] is True

    listed = api.get("/webhook-endpoints").json()["items"]
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    one = api.get(f"/webhook-endpoints/{created['id']}")
    assert one.status_code == 200 and "secret" not in one.json()
    assert created["secret"].encode() not in one.content

    factories.assignment(factories.facility(partner))
    deliver_due()
    [request] = receiver.received
    assert Webhook(created["secret"]).verify(request.body, request.headers)["type"] == (
        "certificate.issued"
    )
    [added] = Activity.objects.filter(partner=partner, detail__webhook="added")
    assert headline(added) == "Added a webhook endpoint"
    assert added.actor_label.startswith("API key “tests”")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/x", "events": ["certificate.issued"]}, "url"),
        ({"url": "http://127.0.0.1:9/x#f", "events": ["certificate.issued"]}, "url"),
        ({"url": "http://127.0.0.1:9/x", "events": ["certificate.renamed"]}, "events"),
        ({"url": "http://127.0.0.1:9/x", "events": []}, "events"),
        ({"url": "http://127.0.0.1:9/x"}, "events"),
        ({"events": ["certificate.issued"]}, "url"),
        ({"url": "http://127.0.0.1:9/x", "events": "certificate.issued"}, "events"),
        ({"url": "http://127.0.0.1:9/x", "events": ["certificate.issued"], "x": 1}, "x"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, body, field):
    assert_problem(api.post("/webhook-endpoints", body), 422, field)
    assert not WebhookEndpoint.objects.exists()


def test_private_targets_are_a_422_in_production(api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    body = assert_problem(_create(api, "http://localhost:8080/hooks"), 422, "url")
    assert "private, loopback or link-local" in body["errors"][0]["message"]


def test_another_partners_endpoint_is_a_404(api, other_api):
    endpoint_id = _create(api, "http://127.0.0.1:9/hooks").json()["id"]
    path = f"/webhook-endpoints/{endpoint_id}"
    assert_problem(other_api.get(path), 404)
    assert_problem(_patch(other_api, path, {"enabled": False}), 404)
    assert_problem(other_api.delete(path), 404)
    assert_problem(other_api.post(f"{path}/rotate-secret", {"overlap_hours": 1}), 404)
    assert other_api.get("/webhook-endpoints").json()["items"] == []
    assert WebhookEndpoint.objects.get().enabled


def test_patch_changes_only_what_is_sent_and_re_enables(api):
    created = _create(api, "http://127.0.0.1:9/hooks").json()
    path = f"/webhook-endpoints/{created['id']}"

    changed = _patch(api, path, {"events": ["membership.removed"], "enabled": False})
    assert changed.status_code == 200, changed.content
    assert changed.json()["events"] == ["membership.removed"]
    assert changed.json()["enabled"] is False
    assert changed.json()["disabled_reason"] == "Disabled by you."
    assert changed.json()["url"] == "http://127.0.0.1:9/hooks"

    again = _patch(api, path, {"enabled": True}).json()
    assert again["enabled"] is True and again["disabled_at"] is None
    assert_problem(_patch(api, path, {"url": "gopher://x"}), 422, "url")
    assert_problem(_patch(api, path, {"enabled": "yes"}), 422, "enabled")


def test_rotating_returns_a_new_secret_and_both_sign_during_the_overlap(api, partner, receiver):
    created = _create(api, receiver.url).json()
    rotated = api.post(f"/webhook-endpoints/{created['id']}/rotate-secret", {"overlap_hours": 2})
    assert rotated.status_code == 200, rotated.content
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != created["secret"]
    assert rotated.json()["previous_secret_expires_at"]

    factories.assignment(factories.facility(partner))
    deliver_due()
    [request] = receiver.received
    Webhook(created["secret"]).verify(request.body, request.headers)
    Webhook(new).verify(request.body, request.headers)

    path = f"/webhook-endpoints/{created['id']}/rotate-secret"
    assert_problem(api.post(path, {"overlap_hours": 500}), 422, "overlap_hours")
    assert_problem(api.post(path, {"overlap_hours": "2"}), 422, "overlap_hours")


def test_deleting_removes_the_endpoint(api):
    created = _create(api, "http://127.0.0.1:9/hooks").json()
    response = api.delete(f"/webhook-endpoints/{created['id']}")
    assert response.status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert_problem(api.get(f"/webhook-endpoints/{created['id']}"), 404)


def test_the_event_feed_pages_through_a_partners_own_events_by_cursor(api, other_api, partner):
    facility = factories.facility(partner, external_id="FAC-1")
    for n in range(3):
        factories.assignment(facility, external_id=f"A-{n}")

    first = api.get("/events", {"limit": 2}).json()
    assert [e["type"] for e in first["items"]] == ["certificate.issued"] * 2
    assert first["has_more"] is True
    assert first["items"][0]["data"]["assignment"] == "A-0"
    assert set(first["items"][0]) == {"id", "type", "timestamp", "cursor", "data"}
    rest = api.get("/events", {"after": first["next_cursor"]}).json()
    assert [e["data"]["assignment"] for e in rest["items"]] == ["A-2"]
    assert rest["has_more"] is False
    done = api.get("/events", {"after": rest["next_cursor"]}).json()
    assert done == {"items": [], "next_cursor": rest["next_cursor"], "has_more": False}
    assert other_api.get("/events").json()["items"] == []
    assert_problem(api.get("/events", {"after": "x"}), 422, "after")
    assert_problem(api.get("/events", {"limit": 0}), 422, "limit")


def test_the_feed_and_the_delivery_carry_the_same_event_id(api, partner, receiver):
    _create(api, receiver.url)
    factories.assignment(factories.facility(partner))
    deliver_due()
    [event] = api.get("/events").json()["items"]
    assert receiver.received[0].headers["webhook-id"] == event["id"]


def test_a_retry_with_the_same_idempotency_key_never_shows_or_keeps_the_secret(api):
    """A secret is shown once: its answer is not stored for replay (the retry is told to
    rotate), and no idempotency record holds it."""
    body = {"url": "http://127.0.0.1:9/hooks", "events": ["certificate.issued"]}
    headers = {"Idempotency-Key": "make-endpoint-1"}
    first = api.post("/webhook-endpoints", body, headers=headers)
    assert first.status_code == 201, first.content
    secret = first.json()["secret"]

    retry = api.post("/webhook-endpoints", body, headers=headers)
    problem = assert_problem(retry, 409, field="Idempotency-Key")
    assert problem["type"].endswith("secret-already-shown")
    assert "Rotate" in problem["detail"]
    assert b"whsec_" not in retry.content
    assert WebhookEndpoint.objects.count() == 1  # nothing made twice

    path = f"/webhook-endpoints/{first.json()['id']}/rotate-secret"
    rotate_headers = {"Idempotency-Key": "rotate-1"}
    rotated = api.post(path, {"overlap_hours": 1}, headers=rotate_headers)
    assert rotated.status_code == 200, rotated.content
    new = rotated.json()["secret"]
    again = api.post(path, {"overlap_hours": 1}, headers=rotate_headers)
    assert_problem(again, 409, field="Idempotency-Key")
    assert b"whsec_" not in again.content
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == new  # the retry did not rotate again

    kept = b"".join(bytes(r.body) for r in IdempotencyRecord.objects.all())
    assert IdempotencyRecord.objects.count() == 2
    assert secret.encode() not in kept and new.encode() not in kept and b"whsec_" not in kept
