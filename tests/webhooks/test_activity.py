"""Every change to an endpoint is one line in the partner's activity log, naming who did it."""

from __future__ import annotations

import pytest

from compliance_hub.activity.kinds import headline
from compliance_hub.activity.models import Activity
from compliance_hub.webhooks import services
from compliance_hub.webhooks.models import WebhookDelivery
from tests import factories

pytestmark = pytest.mark.django_db


def test_each_endpoint_change_is_logged_with_its_own_headline(partner):
    staff = factories.person("ops@acme.example")
    who = {"by": staff, "ip": "203.0.113.9"}
    endpoint, _ = services.create_endpoint(
        partner, url="http://127.0.0.1:9/hooks", events=["certificate.issued"], **who
    )
    factories.assignment(factories.facility(partner))
    services.update_endpoint(endpoint, events=["certificate.issued"], **who)  # no change
    services.update_endpoint(endpoint, events=["certificate.voided"], **who)
    services.rotate_secret(endpoint, overlap_hours=1, **who)
    services.redeliver(WebhookDelivery.objects.get(), **who)
    services.update_endpoint(endpoint, enabled=False, **who)
    services.update_endpoint(endpoint, enabled=True, **who)
    services.delete_endpoint(endpoint, **who)

    log = Activity.objects.filter(partner=partner).order_by("id")
    assert [headline(a) for a in log] == [
        "Added a webhook endpoint",
        "Changed a webhook endpoint",
        "Rotated a webhook signing secret",
        "Asked for a webhook to be sent again",
        "Turned a webhook endpoint off",
        "Turned a webhook endpoint on",
        "Deleted a webhook endpoint",
    ]
    assert {a.actor_label for a in log} == {"ops@acme.example"}
    assert {a.target for a in log} == {"http://127.0.0.1:9/hooks"}
    assert all(a.facility_id is None for a in log)  # the partner's log, not a facility's
