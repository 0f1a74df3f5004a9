"""Events are written in the transaction of the change they report, one per object, with its
API representation; a change that rolls back leaves no event."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from compliance_hub.auditors import services as auditor_services
from compliance_hub.certificates import services as certificate_services
from compliance_hub.certificates.models import Assignment
from compliance_hub.certificates.services import AssignmentItem
from compliance_hub.facilities import invitations
from compliance_hub.facilities.models import Membership
from compliance_hub.webhooks import services
from compliance_hub.webhooks.events import EVENT_TYPES
from compliance_hub.webhooks.models import WebhookDelivery, WebhookEvent
from compliance_hub.webhooks.queries import events_after
from tests import factories

pytestmark = pytest.mark.django_db


def _events(kind: str | None = None) -> list[WebhookEvent]:
    qs = WebhookEvent.objects.order_by("id")
    return list(qs.filter(type=kind) if kind else qs)


def _subscribe(partner, events=tuple(EVENT_TYPES)):
    endpoint, _ = services.create_endpoint(
        partner, url="http://127.0.0.1:9/hooks", events=list(events)
    )
    return endpoint


def test_issuing_superseding_and_voiding_each_write_their_event(partner):
    endpoint = _subscribe(partner)
    facility = factories.facility(partner, external_id="FAC-1")
    assignment = factories.assignment(facility, external_id="A-1", effective=date(2026, 3, 1))
    first = assignment.current_certificate

    [issued] = _events("certificate.issued")
    assert issued.partner == partner
    assert issued.data["number"] == first.number
    assert issued.data["assignment"] == "A-1" and issued.data["facility"] == "FAC-1"
    assert issued.data["status"] == "issued" and issued.data["supersedes"] is None

    changed = factories.assignment(
        facility, assignment.contractor, date(2026, 3, 1), date(2026, 3, 5), external_id="A-1"
    )
    second = changed.current_certificate
    [superseded] = _events("certificate.superseded")
    assert superseded.data["number"] == first.number
    assert superseded.data["status"] == "superseded"
    assert superseded.data["superseded_by"] == second.number
    reissued = _events("certificate.issued")[-1]
    assert reissued.data["number"] == second.number
    assert reissued.data["supersedes"] == first.number
    assert superseded.pk < reissued.pk  # the old one's news comes first

    certificate_services.cancel_assignment(changed)
    [voided] = _events("certificate.voided")
    assert voided.data["number"] == second.number and voided.data["status"] == "void"
    assert voided.data["supersedes"] == first.number

    # Each event has one delivery to the endpoint that wants it.
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 4


def test_an_invitation_accepted_writes_an_event_for_the_partner(partner):
    _subscribe(partner)
    facility = factories.facility(partner, external_id="FAC-1")
    invitation = invitations.invite(
        email="nina@example.com", facilities=[facility], role="member", by=invitations.By()
    )
    person = factories.person("nina@example.com")
    invitations.accept_as(person, invitation.pk)

    [event] = _events("invitation.accepted")
    assert event.data["email"] == "nina@example.com"
    assert event.data["status"] == "accepted"
    assert event.data["facilities"] == ["FAC-1"]


def test_removing_a_member_writes_membership_removed(partner):
    _subscribe(partner)
    facility = factories.facility(partner, external_id="FAC-1")
    person = factories.member(facility, factories.person("mo@example.com"))
    membership = Membership.objects.get(person=person)
    invitations.remove_member(membership, invitations.By(partner=partner))

    [event] = _events("membership.removed")
    assert event.data["email"] == "mo@example.com"
    assert event.data["facility"] == "FAC-1"
    assert event.data["removed_at"]


def test_granting_an_auditor_writes_auditor_access_granted(partner):
    _subscribe(partner)
    facility = factories.facility(partner, external_id="FAC-1")
    primary = factories.member(facility, role="primary")
    auditor_services.grant(
        facility,
        email="ava@audit.example",
        firm="Granite Audit",
        period_start=date(2025, 7, 1),
        period_end=date(2026, 6, 30),
        by=primary,
    )
    [event] = _events("auditor_access.granted")
    assert event.data["email"] == "ava@audit.example"
    assert event.data["facility"] == "FAC-1"
    assert event.data["period_start"] == "2025-07-01"


def test_a_rolled_back_change_leaves_no_event(partner):
    _subscribe(partner)
    facility = factories.facility(partner, external_id="FAC-1")
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.assignment(facility, external_id="A-1")
        assert len(_events()) == 1  # written with the certificate…
        raise RuntimeError("the request failed later")
    assert _events() == []  # …and gone with it
    assert WebhookDelivery.objects.count() == 0


def test_a_failure_while_writing_events_rolls_back_the_upsert(partner, monkeypatch):
    _subscribe(partner)
    factories.facility(partner, external_id="FAC-1")
    contractor = factories.contractor(partner, external_id="C-1")

    def broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(WebhookDelivery.objects, "bulk_create", broken)
    item = AssignmentItem("A-1", "FAC-1", "C-1", date(2026, 3, 1), date(2026, 3, 1))
    with pytest.raises(RuntimeError):
        certificate_services.upsert_assignments(partner, [item])
    assert not Assignment.objects.filter(contractor=contractor).exists()
    assert _events() == []


def test_events_are_written_without_endpoints_but_deliveries_only_where_wanted(partner):
    _subscribe(partner, events=["certificate.voided"])
    facility = factories.facility(partner)
    factories.assignment(facility)
    assert len(_events("certificate.issued")) == 1  # for the reconciliation feed
    assert WebhookDelivery.objects.count() == 0  # nobody subscribed to it


def _items(n: int, offset: int = 0) -> list[AssignmentItem]:
    return [
        AssignmentItem(f"A-{offset + i}", "FAC-1", "C-1", date(2026, 3, 1), date(2026, 3, 2))
        for i in range(n)
    ]


def test_a_bulk_upsert_writes_events_in_a_constant_number_of_statements(partner):
    """One read of the endpoints, the events and the deliveries each in one INSERT (split
    only where the database caps the parameters of a statement, as for the certificates)."""
    _subscribe(partner)
    factories.facility(partner, external_id="FAC-1")
    factories.contractor(partner, external_id="C-1")
    with CaptureQueriesContext(connection) as run:
        certificate_services.upsert_assignments(partner, _items(300))

    def count(prefix: str) -> int:
        return sum(q["sql"].startswith(prefix) for q in run.captured_queries)

    certificate_inserts = count('INSERT INTO "certificates_certificate"')
    assert count('SELECT "webhooks_webhookendpoint"') == 1
    assert 1 <= count('INSERT INTO "webhooks_webhookevent"') <= certificate_inserts
    assert 1 <= count('INSERT INTO "webhooks_webhookdelivery"') <= certificate_inserts
    if connection.vendor == "postgresql":
        assert certificate_inserts == 1
    webhook_statements = [q for q in run.captured_queries if "webhooks_" in q["sql"]]
    assert len(webhook_statements) <= 1 + 2 * certificate_inserts
    assert WebhookEvent.objects.count() == 300
    assert WebhookDelivery.objects.count() == 300


def test_the_feed_lists_a_partners_own_events_after_a_cursor(partner):
    other = factories.partner()
    facility = factories.facility(partner)
    for _ in range(3):
        factories.assignment(facility)
    factories.assignment(factories.facility(other))
    assert services.assign_sequence() == 4
    mine = events_after(partner)
    assert len(mine) == 3 and [e.partner_id for e in mine] == [partner.pk] * 3
    cursors = [e.sequence for e in mine]
    assert cursors == sorted(cursors)
    assert [e.pk for e in events_after(partner, after=cursors[0])] == [e.pk for e in mine[1:]]
    assert events_after(partner, after=cursors[-1]) == []
    assert services.assign_sequence() == 0


def test_a_partners_cursors_count_its_own_events_only(partner):
    """Cursors are per partner: 1, 2, 3… without gaps where other partners' events fell, so
    a partner cannot read another's event volume from them."""
    other = factories.partner()
    mine, theirs = factories.facility(partner), factories.facility(other)
    for _ in range(3):  # interleaved with the other partner's events
        factories.assignment(mine)
        factories.assignment(theirs)
        factories.assignment(theirs)
    assert services.assign_sequence(limit=4) == 4  # in batches, as the worker does
    assert services.assign_sequence() == 5
    assert [e.sequence for e in events_after(partner)] == [1, 2, 3]
    assert [e.sequence for e in events_after(other)] == [1, 2, 3, 4, 5, 6]
    factories.assignment(mine)
    assert services.assign_sequence() == 1
    assert [e.sequence for e in events_after(partner, after=3)] == [4]
