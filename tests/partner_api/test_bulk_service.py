"""``certificates.bulk.upsert_assignments`` has ``save_assignment``'s semantics, set-based."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance_hub.certificates import bulk, services
from compliance_hub.certificates.models import Assignment, Certificate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partner):
    facility = factories.facility(partner, external_id="F-1")
    other = factories.facility(partner, external_id="F-2")
    jane = factories.contractor(partner, "Jane", "Doe", external_id="C-1")
    zoe = factories.contractor(partner, "Zoë", "Ångström", external_id="C-2")
    return facility, other, jane, zoe


def item(i, **kw):
    return bulk.BulkItem(
        **{
            "external_id": f"A-{i}",
            "facility": "F-1",
            "contractor": "C-1",
            "effective_date": date(2026, 3, 1),
            "end_date": date(2026, 3, 1),
            "description": "Nights",
            **kw,
        }
    )


def test_created_rows_match_what_save_assignment_makes(partner, world):
    facility, _, _, zoe = world
    [result] = bulk.upsert_assignments(partner, [item(1, contractor="C-2")])
    via_service = services.save_assignment(
        partner=partner,
        external_id="S-1",
        facility=facility,
        contractor=zoe,
        effective_date=date(2026, 3, 1),
        end_date=date(2026, 3, 1),
        description="Nights",
    )
    a, b = Assignment.objects.get(external_id="A-1"), via_service.assignment
    for field in ("contractor_name", "sort_name", "status", "facility_id", "contractor_id"):
        assert getattr(a, field) == getattr(b, field)
    ca, cb = a.current_certificate, via_service.certificate
    assert ca == result.certificate and ca.status == cb.status == Certificate.Status.ISSUED
    snap_a = {k: v for k, v in ca.snapshot.items() if k != "assignment"}
    snap_b = {k: v for k, v in cb.snapshot.items() if k != "assignment"}
    assert snap_a == snap_b
    assert ca.snapshot["assignment"]["external_id"] == "A-1"
    assert ca.rendered_at is None  # rendered later, by the worker or on first download


def test_update_supersedes_and_links(partner, world):
    bulk.upsert_assignments(partner, [item(1)])
    first = Assignment.objects.get(external_id="A-1").current_certificate
    [result] = bulk.upsert_assignments(partner, [item(1, facility="F-2")])
    assert result.outcome == "updated"
    first.refresh_from_db()
    assert first.status == Certificate.Status.SUPERSEDED and first.superseded_at
    assert result.certificate.supersedes_id == first.pk
    assignment = Assignment.objects.get(external_id="A-1")
    assert assignment.facility.external_id == "F-2"
    assert assignment.current_certificate_id == result.certificate.pk
    assert assignment.updated_at == result.certificate.issued_at


def test_rows_made_by_save_assignment_are_unchanged_in_bulk(partner, world):
    facility, _, jane, _ = world
    created = services.save_assignment(
        partner=partner,
        external_id="A-1",
        facility=facility,
        contractor=jane,
        effective_date=date(2026, 3, 1),
        end_date=date(2026, 3, 1),
        description="Nights",
    )
    [result] = bulk.upsert_assignments(partner, [item(1)])
    assert result.outcome == "unchanged"
    assert result.certificate == created.certificate


def test_unchanged_resend_writes_nothing(partner, world):
    items = [item(i) for i in range(50)]
    bulk.upsert_assignments(partner, items)
    with CaptureQueriesContext(connection) as queries:
        results = bulk.upsert_assignments(partner, items)
    assert {r.outcome for r in results} == {"unchanged"}
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert len(queries.captured_queries) <= 6  # facilities, contractors, assignments (+ savepoints)


def test_cancelled_assignment_is_reactivated_with_a_new_certificate(partner, world):
    bulk.upsert_assignments(partner, [item(1)])
    assignment = Assignment.objects.get(external_id="A-1")
    services.cancel_assignment(assignment)
    void = Certificate.objects.get(assignment=assignment)
    [result] = bulk.upsert_assignments(partner, [item(1)])
    assert result.outcome == "updated"
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACTIVE and assignment.cancelled_at is None
    assert result.certificate.supersedes_id is None  # a void certificate is not superseded
    void.refresh_from_db()
    assert void.status == Certificate.Status.VOID


def test_rejected_batch_reports_index_and_field(partner, world):
    items = [item(0), item(1, end_date=date(2026, 2, 1)), item(2, contractor="C-9"), item(0)]
    with pytest.raises(bulk.BulkRejected) as caught:
        bulk.upsert_assignments(partner, items)
    assert [(i, f) for i, f, _ in caught.value.errors] == [
        (1, "end_date"),
        (2, "contractor"),
        (3, "external_id"),
    ]
    with pytest.raises(bulk.BulkRejected) as caught:
        bulk.upsert_assignments(partner, [item(0), item(2, contractor="C-9")])
    assert [(i, f) for i, f, _ in caught.value.errors] == [(1, "contractor")]
    assert not Assignment.objects.exists()


def test_other_partners_objects_are_unknown(partner, world, other_partner):
    factories.facility(other_partner, external_id="F-9")
    with pytest.raises(bulk.BulkRejected):
        bulk.upsert_assignments(partner, [item(0, facility="F-9")])


def test_number_clashes_are_redrawn(partner, world, monkeypatch):
    bulk.upsert_assignments(partner, [item(0)])
    taken = Certificate.objects.get().number
    numbers = iter([taken, taken, "CH-AAAA-BBBB", "CH-CCCC-DDDD"])
    monkeypatch.setattr(
        "compliance_hub.certificates.issuance.new_certificate_number", lambda: next(numbers)
    )
    results = bulk.upsert_assignments(partner, [item(1), item(2)])
    assert sorted(r.certificate.number for r in results) == ["CH-AAAA-BBBB", "CH-CCCC-DDDD"]
