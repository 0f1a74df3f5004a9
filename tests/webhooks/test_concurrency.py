"""Workers in parallel, each with its own database connection, never take the same delivery."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from compliance_hub.webhooks import services
from compliance_hub.webhooks.delivery import claim
from compliance_hub.webhooks.models import WebhookDelivery
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_claims_split_the_due_deliveries_without_overlap(partner):
    services.create_endpoint(partner, url="http://127.0.0.1:9/hooks", events=["certificate.issued"])
    facility = factories.facility(partner)
    for _ in range(12):
        factories.assignment(facility)
    assert WebhookDelivery.objects.count() == 12
    now = timezone.now()
    results: dict[str, list[int]] = {}
    start = threading.Barrier(3)

    def work(name: str) -> None:
        try:
            start.wait()
            taken: list[int] = []
            while batch := claim(2, name, now):
                taken += batch
            results[name] = taken
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    taken = [pk for batch in results.values() for pk in batch]
    assert len(results) == 3
    assert sorted(taken) == sorted(WebhookDelivery.objects.values_list("pk", flat=True))
    assert len(taken) == len(set(taken)) == 12  # each delivery claimed exactly once
