"""One assignment upsert: a batch is all or nothing, each item ``created``, ``updated`` or
``unchanged``; one item alone (``upsert_assignment``, ``save_assignment``) is a batch of one."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_hub.certificates import services
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
    return services.AssignmentItem(
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


def two_worlds():
    """Two partners with the same facilities F-1, F-2 and contractors C-1, C-2."""
    partners = [factories.partner(), factories.partner()]
    for p in partners:
        for f in ("F-1", "F-2"):
            factories.facility(p, external_id=f)
        for c in ("C-1", "C-2"):
            factories.contractor(p, "Jane", c, external_id=c)
    return partners


ITEMS = st.builds(
    services.AssignmentItem,
    external_id=st.sampled_from(["A-1", "A-2", "A-3"]),
    facility=st.sampled_from(["F-1", "F-2"]),
    contractor=st.sampled_from(["C-1", "C-2"]),
    effective_date=st.sampled_from([date(2026, 3, 1), date(2026, 3, 2)]),
    end_date=st.sampled_from([date(2026, 3, 2), date(2026, 3, 9)]),
    description=st.sampled_from(["", "Nights"]),
)
BATCHES = st.lists(
    st.lists(ITEMS, min_size=1, max_size=3, unique_by=lambda i: i.external_id),
    min_size=1,
    max_size=4,
)


def final_state(partner):
    return sorted(
        (
            a.external_id,
            a.facility.external_id,
            a.contractor.external_id,
            a.effective_date,
            a.end_date,
            a.description,
            a.status,
            a.current_certificate.status,
            a.certificates.count(),
        )
        for a in Assignment.objects.filter(partner=partner).select_related(
            "facility", "contractor", "current_certificate"
        )
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=BATCHES, cancel=st.sampled_from([None, "A-1", "A-2"]))
def test_one_at_a_time_is_the_same_as_in_batches(batches, cancel):
    """A batch is all its items applied one by one: the same outcomes, rows and certificates."""
    batched, single = two_worlds()
    for batch in batches:
        outcomes = [r.outcome for r in services.upsert_assignments(batched, batch)]
        assert outcomes == [services.upsert_assignment(single, i).outcome for i in batch]
        for partner in (batched, single) if cancel else ():
            found = Assignment.objects.filter(partner=partner, external_id=cancel).first()
            if found is not None:
                services.cancel_assignment(found)
    assert final_state(batched) == final_state(single)


INVALID = st.sampled_from(
    [
        {"external_id": "bad id"},
        {"facility": ""},
        {"contractor": "C-9"},
        {"facility": "F-9"},
        {"end_date": date(2026, 2, 1)},
        {"description": "x" * 501},
        {"description": "Nights\u202e"},
        {"facility": "F-9", "end_date": date(2026, 2, 1)},
    ]
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad=INVALID)
def test_a_bad_item_gets_the_same_messages_alone_or_in_a_batch(bad):
    partner, _ = two_worlds()
    wrong = item(1, **bad)
    with pytest.raises(ValidationError) as alone:
        services.upsert_assignment(partner, wrong)
    with pytest.raises(services.AssignmentsRejected) as batched:
        services.upsert_assignments(partner, [item(0), wrong])
    expected: dict[str, list[str]] = {}
    for index, field, message in batched.value.errors:
        assert index == 1
        expected.setdefault(field, []).append(message)
    assert alone.value.message_dict == expected
    assert set(expected) == {k for k in bad if k != "effective_date"}
    assert not Assignment.objects.filter(partner=partner).exists()


def test_update_supersedes_and_links(partner, world):
    services.upsert_assignments(partner, [item(1)])
    first = Assignment.objects.get(external_id="A-1").current_certificate
    [result] = services.upsert_assignments(partner, [item(1, facility="F-2")])
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
    [result] = services.upsert_assignments(partner, [item(1)])
    assert result.outcome == "unchanged"
    assert result.certificate == created.certificate


def test_unchanged_resend_writes_nothing(partner, world):
    items = [item(i) for i in range(50)]
    services.upsert_assignments(partner, items)
    with CaptureQueriesContext(connection) as queries:
        results = services.upsert_assignments(partner, items)
    assert {r.outcome for r in results} == {"unchanged"}
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert len(queries.captured_queries) <= 6  # facilities, contractors, assignments (+ savepoints)


def test_cancelled_assignment_is_reactivated_with_a_new_certificate(partner, world):
    services.upsert_assignments(partner, [item(1)])
    assignment = Assignment.objects.get(external_id="A-1")
    services.cancel_assignment(assignment)
    void = Certificate.objects.get(assignment=assignment)
    [result] = services.upsert_assignments(partner, [item(1)])
    assert result.outcome == "updated"
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACTIVE and assignment.cancelled_at is None
    assert result.certificate.supersedes_id is None  # a void certificate is not superseded
    void.refresh_from_db()
    assert void.status == Certificate.Status.VOID


def test_rejected_batch_reports_index_and_field(partner, world):
    items = [item(0), item(1, end_date=date(2026, 2, 1)), item(2, contractor="C-9"), item(0)]
    with pytest.raises(services.AssignmentsRejected) as caught:
        services.upsert_assignments(partner, items)
    assert [(i, f) for i, f, _ in caught.value.errors] == [
        (1, "end_date"),
        (2, "contractor"),
        (3, "external_id"),
    ]
    with pytest.raises(services.AssignmentsRejected) as caught:
        services.upsert_assignments(partner, [item(0), item(2, contractor="C-9")])
    assert [(i, f) for i, f, _ in caught.value.errors] == [(1, "contractor")]
    assert not Assignment.objects.exists()


def test_other_partners_objects_are_unknown(partner, world):
    factories.facility(factories.partner(), external_id="F-9")
    with pytest.raises(services.AssignmentsRejected):
        services.upsert_assignments(partner, [item(0, facility="F-9")])


def test_number_clashes_are_redrawn(partner, world, monkeypatch):
    services.upsert_assignments(partner, [item(0)])
    taken = Certificate.objects.get().number
    numbers = iter([taken, taken, "CH-AAAA-BBBB", "CH-CCCC-DDDD"])
    monkeypatch.setattr(
        "compliance_hub.certificates.issuance.new_certificate_number", lambda: next(numbers)
    )
    results = services.upsert_assignments(partner, [item(1), item(2)])
    assert sorted(r.certificate.number for r in results) == ["CH-AAAA-BBBB", "CH-CCCC-DDDD"]
