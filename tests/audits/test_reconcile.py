"""Reconciling schedules with known answers against real assignments and certificates."""

from datetime import date
from decimal import Decimal

import pytest

from compliance_hub.activity.models import Activity
from compliance_hub.audits import services
from compliance_hub.audits.columns import guess_mapping
from compliance_hub.audits.models import (
    ContractorCoverage,
    PendingUpload,
    Reconciliation,
    ReconciliationRow,
)
from compliance_hub.certificates import services as certificate_services
from compliance_hub.certificates.models import Certificate
from tests import factories
from tests.audits.helpers import by_line, csv_bytes, run_schedule

pytestmark = pytest.mark.django_db

HEADER = ["Contractor", "Work date", "Amount"]


def number(assignment):
    assignment.refresh_from_db()
    return assignment.current_certificate.number


@pytest.fixture
def jane(facility):
    return factories.contractor(facility.partner, "Jane", "Doe", email="jane@example.com")


@pytest.fixture
def march(facility, jane):
    return factories.assignment(facility, jane, date(2026, 3, 1), date(2026, 3, 10))


@pytest.fixture
def late_march(facility, jane):
    return factories.assignment(facility, jane, date(2026, 3, 20), date(2026, 3, 25))


def test_work_dates_inside_on_the_boundaries_and_outside(facility, person, march, late_march):
    rows = [
        HEADER,
        ["Jane Doe", "2026-02-28", "10"],
        ["Jane Doe", "2026-03-01", "20"],
        ["Jane Doe", "2026-03-05", "30"],
        ["Jane Doe", "2026-03-10", "40"],
        ["Jane Doe", "2026-03-11", "50"],
        ["Jane Doe", "2026-03-15", "60"],
        ["Jane Doe", "2026-03-26", "70"],
    ]
    result = by_line(run_schedule(facility, person, rows))
    m, lm = number(march), number(late_march)
    assert {line: r.status for line, r in result.items()} == {
        2: "not_covered",
        3: "covered",
        4: "covered",
        5: "covered",
        6: "not_covered",
        7: "not_covered",
        8: "not_covered",
    }
    assert [c["number"] for c in result[3].certificates] == [m]
    assert [c["number"] for c in result[5].certificates] == [m]
    assert result[2].note == (
        f"No current certificate covers 2026-02-28. Nearest cover before: none; "
        f"after: from 2026-03-01 ({m})."
    )
    assert result[7].note == (
        f"No current certificate covers 2026-03-15. Nearest cover before: until 2026-03-10 "
        f"({m}); after: from 2026-03-20 ({lm})."
    )
    assert result[8].note.endswith(f"before: until 2026-03-25 ({lm}); after: none.")


def test_service_periods_whole_partial_and_across_two_certificates(
    facility, person, jane, march, late_march
):
    april_a = factories.assignment(facility, jane, date(2026, 4, 1), date(2026, 4, 5))
    april_b = factories.assignment(facility, jane, date(2026, 4, 6), date(2026, 4, 10))
    rows = [
        ["Contractor", "Service from", "Service to", "Amount"],
        ["Jane Doe", "2026-03-02", "2026-03-09", "100"],
        ["Jane Doe", "2026-03-08", "2026-03-22", "200"],
        ["Jane Doe", "2026-04-03", "2026-04-08", "300"],
        ["Jane Doe", "2026-03-12", "2026-03-18", "400"],
        ["Jane Doe", "2026-03-10", "", "500"],
    ]
    reconciliation = run_schedule(facility, person, rows)
    assert reconciliation.date_basis == "period"
    result = by_line(reconciliation)
    assert result[2].status == "covered"
    assert result[3].status == "partial"
    assert [c["number"] for c in result[3].certificates] == [number(march), number(late_march)]
    assert result[3].note.startswith("Not covered: 2026-03-11 to 2026-03-19 (9 of 15 days).")
    assert result[4].status == "covered"
    assert [c["number"] for c in result[4].certificates] == [number(april_a), number(april_b)]
    assert result[5].status == "not_covered"
    # An empty "to" makes a one-day period.
    assert (result[6].status, result[6].work_to) == ("covered", date(2026, 3, 10))
    totals = reconciliation.totals
    assert totals["covered"] == {"count": 3, "amount": "900.00"}
    assert totals["partial"] == {"count": 1, "amount": "200.00"}
    assert totals["not_covered"] == {"count": 1, "amount": "400.00"}


def test_void_and_superseded_certificates_never_count(facility, person):
    bob = factories.contractor(facility.partner, "Bob", "Stone")
    cancelled = factories.assignment(facility, bob, date(2026, 3, 1), date(2026, 3, 10))
    void_number = number(cancelled)
    certificate_services.cancel_assignment(cancelled)
    carol = factories.contractor(facility.partner, "Carol", "King")
    shortened = factories.assignment(
        facility, carol, date(2026, 3, 1), date(2026, 3, 10), external_id="CAROL-1"
    )
    old_number = number(shortened)
    certificate_services.save_assignment(
        partner=facility.partner,
        external_id="CAROL-1",
        facility=facility,
        contractor=carol,
        effective_date=date(2026, 3, 1),
        end_date=date(2026, 3, 5),
        description="Registered nurse, night shift",
    )
    new_number = number(shortened)
    assert Certificate.objects.get(number=old_number).status == "superseded"
    rows = [
        HEADER,
        ["Bob Stone", "2026-03-05", "1"],
        ["Carol King", "2026-03-08", "1"],
        ["Carol King", "2026-03-03", "1"],
    ]
    result = by_line(run_schedule(facility, person, rows))
    assert result[2].status == "not_covered"
    assert f"Void certificate (cancelled assignment): {void_number}." in result[2].note
    assert result[3].status == "not_covered"
    assert result[4].status == "covered"
    assert [c["number"] for c in result[4].certificates] == [new_number]


def test_same_name_contractors_are_ambiguous_and_listed(facility, person):
    first = factories.contractor(facility.partner, "Sam", "Lee", email="sam.a@example.com")
    second = factories.contractor(facility.partner, "Sam", "Lee", email="sam.b@example.com")
    covering = factories.assignment(facility, first, date(2026, 3, 1), date(2026, 3, 31))
    factories.assignment(facility, second, date(2026, 5, 1), date(2026, 5, 2))
    rows = [
        ["Contractor", "E-mail", "Work date"],
        ["Lee, Sam", "", "2026-03-05"],
        ["Sam Lee", "sam.b@example.com", "2026-03-05"],
    ]
    result = by_line(run_schedule(facility, person, rows))
    ambiguous = result[2]
    assert ambiguous.status == "ambiguous"
    assert ambiguous.certificates == []
    assert [(c["id"], c["cover"], c["numbers"]) for c in ambiguous.candidates] == [
        (first.pk, "covered", [number(covering)]),
        (second.pk, "none", []),
    ]
    assert "2 contractors at this facility could be “Lee, Sam”" in ambiguous.note
    assert ambiguous.note.endswith("Add an e-mail or contractor-id column to tell them apart.")
    resolved = result[3]
    assert (resolved.status, resolved.contractor_id, resolved.matched_by) == (
        "not_covered",
        second.pk,
        "e-mail",
    )


def test_names_last_first_accents_and_middle_initials(facility, person):
    zoe = factories.contractor(facility.partner, "Zoë", "Ångström-O'Hara")
    cover = factories.assignment(facility, zoe, date(2026, 3, 1), date(2026, 3, 31))
    rows = [
        HEADER,
        ["ANGSTROM-OHARA, ZOE", "2026-03-02", "1"],
        ["Zoe  Angstrom O'Hara", "2026-03-03", "1"],
        ["Zoë Q. Ångström-O’Hara", "2026-03-04", "1"],  # noqa: RUF001
        ["Ångström-O'Hara Zoë", "2026-03-05", "1"],
    ]
    result = by_line(run_schedule(facility, person, rows))
    for line in (2, 3, 4, 5):
        assert (result[line].status, result[line].contractor_id) == ("covered", zoe.pk), line
        assert [c["number"] for c in result[line].certificates] == [number(cover)]


def test_contractor_id_and_email_win_over_the_name(facility, person, jane, march):
    bob = factories.contractor(facility.partner, "Bob", "Stone", external_id="BOB-7")
    factories.assignment(facility, bob, date(2026, 4, 1), date(2026, 4, 2))
    outsider = factories.contractor(facility.partner, "Olga", "Out", external_id="OUT-1")
    rows = [
        ["Contractor", "Contractor ID", "Work date"],
        ["Jane Doe", "bob-7", "2026-03-05"],
        ["Jane Doe", "", "2026-03-05"],
        ["Jane Doe", outsider.external_id, "2026-03-05"],
    ]
    result = by_line(run_schedule(facility, person, rows))
    assert (result[2].contractor_id, result[2].status, result[2].matched_by) == (
        bob.pk,
        "not_covered",
        "contractor id",
    )
    assert "differs from the contractor's name on record (“Bob Stone”)" in result[2].note
    assert (result[3].contractor_id, result[3].status) == (jane.pk, "covered")
    # An id of someone never assigned here does not decide; the name does, and it says so.
    assert (result[4].contractor_id, result[4].status) == (jane.pk, "covered")
    assert result[4].note == "Contractor id “OUT-1” is not known at this facility."


def test_unknown_contractors_and_cover_at_another_facility(facility, person, jane):
    other = factories.facility(facility.partner)
    factories.assignment(other, jane, date(2026, 3, 1), date(2026, 3, 10))
    elsewhere = factories.contractor(facility.partner, "Dora", "Field")
    factories.assignment(other, elsewhere, date(2026, 3, 1), date(2026, 3, 10))
    factories.assignment(facility, jane, date(2026, 1, 1), date(2026, 1, 2))
    rows = [
        HEADER,
        ["Nobody Here", "2026-03-05", "5"],
        ["Dora Field", "2026-03-05", "6"],
        ["Jane Doe", "2026-03-05", "7"],
    ]
    reconciliation = run_schedule(facility, person, rows)
    result = by_line(reconciliation)
    assert result[2].status == "unknown"
    assert result[2].note == "Nobody at this facility matches “Nobody Here”."
    # Known to the partner, but never assigned to this facility: unknown here.
    assert result[3].status == "unknown"
    # Jane's cover at the other facility does not count at this one.
    assert result[4].status == "not_covered"
    assert reconciliation.totals["unknown"] == {"count": 2, "amount": "11.00"}


def test_nearest_cover_far_outside_the_loaded_window_is_still_found(facility, person, jane):
    factories.assignment(facility, jane, date(2022, 6, 1), date(2022, 6, 30))
    factories.assignment(facility, jane, date(2029, 1, 1), date(2029, 1, 5))
    rows = [HEADER, ["Jane Doe", "2026-03-05", "1"]]
    row = by_line(run_schedule(facility, person, rows))[2]
    assert row.note == (
        "No current certificate covers 2026-03-05. Nearest cover before: until 2022-06-30; "
        "after: from 2029-01-01."
    )


def test_duplicates_are_flagged_and_counted_once(facility, person, march):
    rows = [
        HEADER,
        ["Jane Doe", "2026-03-05", "$100.00"],
        ["Jane Doe", "03/05/2026", "100"],
        ["Jane Doe", "2026-03-06", "100"],
    ]
    reconciliation = run_schedule(facility, person, rows)
    result = by_line(reconciliation)
    assert result[3].duplicate_of == 2
    assert result[3].status == "covered"
    assert result[4].duplicate_of is None
    assert reconciliation.totals["covered"] == {"count": 2, "amount": "200.00"}
    assert reconciliation.totals["duplicate"] == {"count": 1, "amount": "100.00"}
    assert reconciliation.totals["all"] == {"count": 2, "amount": "200.00"}


def test_unreadable_rows_refuse_the_run_unless_asked_and_nothing_is_saved(facility, person, march):
    rows = [
        HEADER,
        ["Jane Doe", "2026-03-05", "10"],
        ["Jane Doe", "someday", "10"],
        ['=HYPERLINK("http://x")', "2026-03-05", "10"],
        ["Jane Doe", "2026-03-06", "ten"],
    ]
    upload = services.keep_upload(facility, person, "s.csv", csv_bytes(rows))
    mapping = guess_mapping(services.table_of(upload).header)
    with pytest.raises(services.RunRefused) as refused:
        services.run(upload, mapping, include_unreadable=False, person=person)
    assert str(refused.value).startswith("3 row(s) cannot be read")
    assert Reconciliation.objects.count() == 0
    assert PendingUpload.objects.filter(pk=upload.pk).exists()

    reconciliation = services.run(upload, mapping, include_unreadable=True, person=person)
    result = by_line(reconciliation)
    assert [result[line].status for line in (2, 3, 4, 5)] == [
        "covered",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert result[3].note == (
        "Work date: “someday” is not a date the hub understands (for example 2026-03-05, "
        "03/05/2026 or 5 Mar 2026)."
    )
    assert result[4].note.startswith("Contractor name holds a spreadsheet formula (“=HYPERLINK(")
    assert result[5].note == "Amount: “ten” is not an amount."
    assert reconciliation.totals["invalid"]["count"] == 3
    assert not PendingUpload.objects.filter(pk=upload.pk).exists()


def test_a_schedule_no_row_of_which_reads_is_refused(facility, person):
    rows = [HEADER, ["Jane Doe", "soon", "1"], ["", "2026-03-05", "1"]]
    upload = services.keep_upload(facility, person, "s.csv", csv_bytes(rows))
    with pytest.raises(services.RunRefused) as refused:
        services.run(
            upload,
            guess_mapping(services.table_of(upload).header),
            include_unreadable=True,
            person=person,
        )
    assert str(refused.value) == (
        "None of the rows can be read with this column mapping; check the columns chosen."
    )


def test_a_failure_while_saving_leaves_nothing_half_saved(facility, person, march, monkeypatch):
    upload = services.keep_upload(
        facility, person, "s.csv", csv_bytes([HEADER, ["Jane Doe", "2026-03-05", "1"]])
    )

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # Fails after the reconciliation and its rows were written, before the coverage.
    monkeypatch.setattr(services, "_coverage", boom)
    with pytest.raises(RuntimeError):
        services.run(
            upload,
            guess_mapping(services.table_of(upload).header),
            include_unreadable=False,
            person=person,
        )
    assert Reconciliation.objects.count() == 0
    assert ReconciliationRow.objects.count() == 0
    assert not Activity.objects.filter(verb=Activity.Verb.AUDIT_RUN).exists()
    assert PendingUpload.objects.filter(pk=upload.pk).exists()


def test_the_run_is_recorded_in_activity_and_keeps_the_rows_not_the_file(facility, person, march):
    rows = [HEADER, ["Jane Doe", "2026-03-05", "1,000.00"], ["Jane Doe", "2026-03-15", "5"]]
    reconciliation = run_schedule(facility, person, rows)
    activity = Activity.objects.get(verb=Activity.Verb.AUDIT_RUN)
    assert (activity.actor, activity.facility, activity.target) == (
        person,
        facility,
        f"reconciliation {reconciliation.pk}",
    )
    assert activity.detail["rows"] == 2
    assert activity.detail["covered"] == 1
    assert activity.detail["not_covered"] == 1
    assert PendingUpload.objects.count() == 0
    saved = ReconciliationRow.objects.get(reconciliation=reconciliation, line=2)
    assert (saved.given_name, saved.work_from, saved.amount) == (
        "Jane Doe",
        date(2026, 3, 5),
        Decimal("1000.00"),
    )
    assert (reconciliation.period_start, reconciliation.period_end) == (
        date(2026, 3, 5),
        date(2026, 3, 15),
    )
    coverage = ContractorCoverage.objects.get(reconciliation=reconciliation)
    assert coverage.intervals == [["2026-03-05", "2026-03-10"]]


def test_payment_date_is_checked_when_there_is_no_work_date(facility, person, march):
    rows = [["Payee", "Payment date", "Amount"], ["Jane Doe", "03/09/2026", "1"]]
    reconciliation = run_schedule(facility, person, rows)
    assert reconciliation.date_basis == "payment"
    row = by_line(reconciliation)[2]
    assert (row.status, row.work_from, row.payment_date) == (
        "covered",
        date(2026, 3, 9),
        date(2026, 3, 9),
    )
