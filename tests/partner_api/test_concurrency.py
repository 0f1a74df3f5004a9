"""Concurrent requests: a retried POST racing its original acts once; bulk stays consistent."""

import threading

import pytest
from django.db import connection

from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.partner_api.keys import create_key
from tests import factories
from tests.partner_api.conftest import Api

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _race(raw_key, calls):
    """Run ``calls`` (functions of an Api) at the same moment in threads; return responses."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call(Api(raw_key))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def key():
    partner = factories.partner()
    factories.facility(partner, external_id="FAC-1")
    factories.contractor(partner, external_id="C-1")
    return create_key(partner)[1]


def items(n, description="Nights"):
    return {
        "items": [
            {
                "external_id": f"A-{i}",
                "facility": "FAC-1",
                "contractor": "C-1",
                "effective_date": "2026-03-01",
                "end_date": "2026-03-01",
                "description": description,
            }
            for i in range(n)
        ]
    }


def test_same_idempotency_key_at_once_acts_once(key):
    headers = {"Idempotency-Key": "race-1"}

    def call(api):
        return api.post("/assignments/bulk", items(200), headers=headers)

    first, second = _race(key, [call, call])
    assert first.status_code == second.status_code == 200, (first.content, second.content)
    assert first.content == second.content
    assert {first.get("Idempotent-Replayed"), second.get("Idempotent-Replayed")} == {"true", None}
    assert Assignment.objects.count() == 200 and Certificate.objects.count() == 200


def test_concurrent_bulk_changes_leave_one_current_certificate_each(key):
    Api(key).post("/assignments/bulk", items(100))

    def change(description):
        return lambda api: api.post("/assignments/bulk", items(100, description))

    responses = _race(key, [change("Days"), change("Evenings")])
    assert {r.status_code for r in responses} <= {200, 409}
    assert any(r.status_code == 200 for r in responses)
    for assignment in Assignment.objects.select_related("current_certificate"):
        issued = Certificate.objects.filter(assignment=assignment, status="issued")
        assert list(issued) == [assignment.current_certificate]
        assert assignment.current_certificate.snapshot["assignment"]["description"] == (
            assignment.description
        )
