"""Issuance chains: every certified change supersedes, cancelling voids, all in one transaction."""

from datetime import date

import pytest

from compliance_hub.certificates import documents, issuance, services
from compliance_hub.certificates.models import Assignment, Certificate
from tests import factories
from tests.certificates.samples import EN_DASH, flat, text_of

pytestmark = pytest.mark.django_db


def save(assignment: Assignment, **changes) -> services.AssignmentResult:
    values = {
        "facility": assignment.facility,
        "contractor": assignment.contractor,
        "effective_date": assignment.effective_date,
        "end_date": assignment.end_date,
        "description": assignment.description,
        **changes,
    }
    return services.save_assignment(
        partner=assignment.partner, external_id=assignment.external_id, **values
    )


@pytest.fixture
def assignment(facility):
    contractor = factories.contractor(facility.partner, first="José", last="García")
    return factories.assignment(
        facility, contractor, effective=date(2026, 4, 6), end=date(2026, 4, 10)
    )


@pytest.mark.parametrize("field", ["effective_date", "end_date", "contractor", "facility", "work"])
def test_each_certified_change_issues_a_new_certificate_that_supersedes(
    media, assignment, facility, field
):
    first = assignment.current_certificate
    change = {
        "effective_date": {"effective_date": date(2026, 4, 7)},
        "end_date": {"end_date": date(2026, 4, 17)},
        "contractor": {
            "contractor": factories.contractor(facility.partner, first="Zoë", last="Nguyễn")
        },
        "facility": {"facility": factories.facility(facility.partner, name="Harbor Clinic")},
        "work": {"description": "Charge nurse, ICU"},
    }[field]
    result = save(assignment, **change)

    assert result.outcome == "updated"
    second = result.certificate
    first.refresh_from_db()
    assert second.pk != first.pk and second.number != first.number
    assert second.status == Certificate.Status.ISSUED and second.supersedes == first
    assert first.status == Certificate.Status.SUPERSEDED and first.superseded_by == second
    assert Assignment.objects.get(pk=assignment.pk).current_certificate == second
    # each states its own version of the assignment
    old, new = flat(text_of(documents.read_pdf(first))), flat(text_of(documents.read_pdf(second)))
    expected = {
        "effective_date": ("04/06/2026", "04/07/2026"),
        "end_date": (f"{EN_DASH} 04/10/2026", f"{EN_DASH} 04/17/2026"),
        "contractor": ("José García", "Zoë Nguyễn"),
        "facility": (facility.name, "Harbor Clinic"),
        "work": ("Registered nurse, night shift", "Charge nurse, ICU"),
    }[field]
    assert expected[0] in old and expected[1] not in old
    assert expected[1] in new and expected[0] not in new


def test_a_chain_of_changes_then_cancellation(media, assignment):
    first = assignment.current_certificate
    second = save(assignment, end_date=date(2026, 4, 11)).certificate
    assignment.refresh_from_db()
    third = save(assignment, end_date=date(2026, 4, 12)).certificate
    assignment.refresh_from_db()
    services.cancel_assignment(assignment)

    chain = list(issuance.history(assignment))
    assert [c.pk for c in chain] == [third.pk, second.pk, first.pk]
    first, second, third = chain[2], chain[1], chain[0]
    assert [c.status for c in (first, second, third)] == ["superseded", "superseded", "void"]
    assert first.superseded_by == second and second.superseded_by == third
    assert third.voided_at is not None
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CANCELLED
    assert assignment.current_certificate == third  # the void one: nothing is current
    assert not Certificate.objects.filter(assignment=assignment, status="issued").exists()
    # every one stays available by number, with its own period
    for certificate, end in [(first, "04/10/2026"), (second, "04/11/2026"), (third, "04/12/2026")]:
        by_number = Certificate.objects.get(number=certificate.number)
        assert f"04/06/2026 {EN_DASH} {end}" in flat(text_of(documents.read_pdf(by_number)))


def test_cancelling_twice_voids_once(assignment):
    services.cancel_assignment(assignment)
    voided_at = Certificate.objects.get(assignment=assignment).voided_at
    _, changed = services.cancel_assignment(assignment)
    assert changed is False
    assert Certificate.objects.get(assignment=assignment).voided_at == voided_at


def test_reactivating_a_cancelled_assignment_issues_a_new_current_certificate(assignment):
    void = assignment.current_certificate
    services.cancel_assignment(assignment)
    assignment.refresh_from_db()
    result = save(assignment)
    void.refresh_from_db()
    assert void.status == Certificate.Status.VOID  # stays void, not "superseded"
    assert result.certificate.status == Certificate.Status.ISSUED
    assert Assignment.objects.get(pk=assignment.pk).current_certificate == result.certificate


def test_if_issuing_fails_the_assignment_change_is_rolled_back(assignment, monkeypatch):
    first = assignment.current_certificate

    def broken(*args, **kwargs):
        raise RuntimeError("snapshot failed")

    monkeypatch.setattr(issuance, "build_snapshot", broken)
    with pytest.raises(RuntimeError):
        save(assignment, end_date=date(2026, 4, 30))
    with pytest.raises(RuntimeError):
        factories.assignment(assignment.facility, external_id="NEVER")

    stored = Assignment.objects.get(pk=assignment.pk)
    assert stored.end_date == date(2026, 4, 10)  # unchanged
    assert stored.current_certificate == first
    first.refresh_from_db()
    assert first.status == Certificate.Status.ISSUED
    assert not Assignment.objects.filter(external_id="NEVER").exists()


def test_every_active_assignment_has_exactly_one_current_certificate(facility):
    assignments = [factories.assignment(facility) for _ in range(3)]
    save(assignments[0], end_date=date(2026, 3, 9))
    services.cancel_assignment(assignments[1])
    for a in Assignment.objects.filter(pk__in=[a.pk for a in assignments]):
        issued = Certificate.objects.filter(assignment=a, status="issued")
        if a.status == Assignment.Status.ACTIVE:
            assert issued.count() == 1 and a.current_certificate == issued.get()
        else:
            assert issued.count() == 0


def test_a_number_already_taken_is_drawn_again(assignment, monkeypatch):
    taken = assignment.current_certificate.number
    draws = iter([taken, "CH-0000-0001"])
    monkeypatch.setattr(issuance, "new_certificate_number", lambda: next(draws))
    certificate = save(assignment, end_date=date(2026, 4, 11)).certificate
    assert certificate.number == "CH-0000-0001"
