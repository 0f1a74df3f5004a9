"""``Idempotency-Key`` on POST: replay the first success; refuse reuse for another request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.facilities.models import Invitation
from compliance_hub.mailer.models import OutboundEmail
from compliance_hub.partner_api.models import IdempotencyRecord
from tests.partner_api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(api):
    api.put("/facilities/FAC-1", {"name": "St Mary"})
    api.put("/contractors/C-1", {"first_name": "Jane", "last_name": "Doe"})
    return api


def items(n, end="2026-03-02"):
    return {
        "items": [
            {
                "external_id": f"A-{i}",
                "facility": "FAC-1",
                "contractor": "C-1",
                "effective_date": "2026-03-01",
                "end_date": end,
            }
            for i in range(n)
        ]
    }


def test_same_key_and_body_replays_the_first_response(setup):
    headers = {"Idempotency-Key": "3f1c2e0a-5b6d-4c1e-9e2f-0a1b2c3d4e5f"}
    first = setup.post("/assignments/bulk", items(3), headers=headers)
    assert first.status_code == 200 and first.json()["created"] == 3
    replay = setup.post("/assignments/bulk", items(3), headers=headers)
    assert replay.status_code == 200
    assert replay.content == first.content  # says "created", as the first answer did
    assert replay["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Certificate.objects.count() == 3


def test_same_key_different_body_is_422(setup):
    headers = {"Idempotency-Key": "k-1"}
    setup.post("/assignments/bulk", items(1), headers=headers)
    response = setup.post("/assignments/bulk", items(2), headers=headers)
    body = assert_problem(response, 422, field="Idempotency-Key")
    assert body["type"].endswith("idempotency-key-reused")
    assert Assignment.objects.count() == 1


def test_same_key_other_path_is_422(setup):
    setup.put(
        "/assignments/A-1",
        {
            "facility": "FAC-1",
            "contractor": "C-1",
            "effective_date": "2026-03-01",
            "end_date": "2026-03-01",
        },
    )
    headers = {"Idempotency-Key": "k-2"}
    assert setup.post("/assignments/A-1/cancel", headers=headers).status_code == 200
    assert_problem(setup.post("/assignments/bulk", items(1), headers=headers), 422)


def test_without_a_key_nothing_is_stored(setup):
    setup.post("/assignments/bulk", items(1))
    assert not IdempotencyRecord.objects.exists()


def test_failed_request_is_not_stored_so_it_can_be_fixed_and_retried(setup):
    headers = {"Idempotency-Key": "k-3"}
    bad = setup.post("/assignments/bulk", items(1, end="2026-01-01"), headers=headers)
    assert_problem(bad, 422)
    assert not IdempotencyRecord.objects.exists()
    good = setup.post("/assignments/bulk", items(1), headers=headers)
    assert good.status_code == 200


def test_keys_are_per_partner(setup, other_api):
    headers = {"Idempotency-Key": "shared"}
    setup.post("/assignments/bulk", items(1), headers=headers)
    other_api.put("/facilities/FAC-1", {"name": "Theirs"})
    other_api.put("/contractors/C-1", {"first_name": "Ann", "last_name": "Lee"})
    theirs = other_api.post("/assignments/bulk", items(1), headers=headers)
    assert theirs.status_code == 200 and theirs.json()["created"] == 1
    assert "Idempotent-Replayed" not in theirs


def test_invalid_key_is_422(setup):
    response = setup.post("/assignments/bulk", items(1), headers={"Idempotency-Key": "x" * 256})
    assert_problem(response, 422, field="Idempotency-Key")
    assert not Assignment.objects.exists()


def test_records_expire_after_a_day(setup):
    headers = {"Idempotency-Key": "old"}
    setup.post("/assignments/bulk", items(1), headers=headers)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = setup.post("/assignments/bulk", items(1), headers=headers)
    assert "Idempotent-Replayed" not in again
    assert again.json()["unchanged"] == 1
    assert IdempotencyRecord.objects.count() == 1


def test_invitation_post_is_not_sent_twice(setup):
    headers = {"Idempotency-Key": "invite-1"}
    body = {"email": "alex@stmarys.example", "role": "primary"}
    first = setup.post("/facilities/FAC-1/invitations", body, headers=headers)
    assert first.status_code == 201
    replay = setup.post("/facilities/FAC-1/invitations", body, headers=headers)
    assert replay.status_code == 201 and replay.json() == first.json()
    assert Invitation.objects.count() == 1
    assert OutboundEmail.objects.filter(to="alex@stmarys.example").count() == 1


def test_put_ignores_the_header(setup):
    body = {"name": "St Mary"}
    response = setup.put("/facilities/FAC-1", body, headers={"Idempotency-Key": "p-1"})
    assert response.json()["outcome"] == "unchanged"
    assert not IdempotencyRecord.objects.exists()
