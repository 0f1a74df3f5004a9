"""Reading schedules as people make them: total and subtotal rows, repeated headers, files
without a header row, a lone "Date" column, and amounts in other currencies."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories
from tests.audits.helpers import by_line, csv_bytes, read, run_schedule, upload_file

pytestmark = pytest.mark.django_db


def test_total_subtotal_and_repeated_header_rows_are_not_payments():
    rows = [
        ["Contractor", "Work date", "Amount"],
        ["Jane Doe", "2026-03-05", "100.00"],
        ["Subtotal", "", "100.00"],
        ["Contractor", "Work date", "Amount"],  # a page break in the export
        ["Bob Stone", "2026-03-06", "50.00"],
        ["", "", "150.00"],  # a bare sum
        ["Grand total:", "", "$150.00"],
    ]
    _table, schedule = read(csv_bytes(rows))
    assert [r.line for r in schedule.rows] == [2, 5]
    assert schedule.skipped == [
        (3, "a total or subtotal row"),
        (4, "a repeated header row"),
        (6, "a total or subtotal row"),
        (7, "a total or subtotal row"),
    ]
    assert "3 rows (rows 3, 6, 7) are each a total or subtotal row" in " ".join(schedule.notes)
    assert "Row 4 is a repeated header row and not counted as a payment." in schedule.notes
    assert schedule.invalid == []


def test_skipped_rows_are_not_counted_and_the_result_says_so(facility, person):
    rows = [["Contractor", "Work date", "Amount"], ["Jane Doe", "2026-03-05", "10"]]
    rows += [["Total", "", "10"]]
    reconciliation = run_schedule(facility, person, rows)
    assert reconciliation.row_count == 1
    assert reconciliation.totals["all"] == {"count": 1, "amount": "10.00"}
    assert any("Row 3 is a total" in note for note in reconciliation.date_notes)


def test_a_file_without_a_header_row_asks_for_the_columns(signed_in, facility):
    data = csv_bytes([["Jane Doe", "2026-03-05", "100.00"], ["Bob Stone", "2026-03-06", "50"]])
    table, _schedule = read(data)
    assert table.headerless
    assert table.header == ["", "", ""]
    assert [line for line, _cells in table.rows] == [1, 2]  # the first row is a payment
    response = upload_file(signed_in, facility, data)
    page = signed_in.get(response["Location"])
    text = page.content.decode()
    assert "This file has no header row." in text
    assert all(v in ("", None) for v in page.context["form"].initial.values())
    assert "Fix the column choices above" in text  # no preview until the person chooses
    chosen = {"name": "0", "work_date": "1", "amount": "2", "action": "run"}
    data_form = {key: "" for key in page.context["form"].fields if key != "include_unreadable"}
    ran = signed_in.post(response["Location"], {**data_form, **chosen})
    assert ran.status_code == 302
    reconciliation = facility.reconciliations.get()
    assert reconciliation.row_count == 2
    assert reconciliation.mapping == {
        "name": "column 1",
        "work_date": "column 2",
        "amount": "column 3",
    }


def test_a_header_row_is_not_mistaken_for_data():
    table, _schedule = read(csv_bytes([["Payee", "Date", "Amount"], ["Jane", "2026-03-05", "1"]]))
    assert not table.headerless
    assert table.header_line == 1


def test_a_lone_date_column_is_the_payment_date_and_the_page_says_so(signed_in, facility, person):
    jane = factories.contractor(facility.partner, "Jane", "Doe")
    factories.assignment(facility, jane, date(2026, 3, 1), date(2026, 3, 10))
    rows = [["Contractor", "Date", "Amount"], ["Jane Doe", "2026-03-05", "10"]]
    _table, schedule = read(csv_bytes(rows))
    assert schedule.basis == "payment"
    assert schedule.rows[0].payment_date == date(2026, 3, 5)
    reconciliation = run_schedule(facility, person, rows)
    assert reconciliation.mapping["payment_date"] == "Date"
    assert by_line(reconciliation)[2].status == "covered"
    page = signed_in.get(reverse("audits:result", args=[facility.pk, reconciliation.pk]))
    assert "Work dates are assumed to be the pay date" in page.content.decode()


def test_date_beside_another_date_column_stays_the_work_date():
    _table, schedule = read(
        csv_bytes([["Contractor", "Date", "Paid on"], ["Jane Doe", "2026-03-05", "2026-03-20"]])
    )
    assert schedule.basis == "work"
    assert schedule.rows[0].start == date(2026, 3, 5)


def test_amounts_in_other_currencies_are_flagged_and_never_added_to_dollars(
    signed_in, facility, person
):
    rows = [
        ["Contractor", "Work date", "Amount"],
        ["Jane Doe", "2026-03-05", "$100.00"],
        ["Jane Doe", "2026-03-06", "1.000,00 €"],
        ["Jane Doe", "2026-03-07", "EUR 20"],
        ["Jane Doe", "2026-03-08", "£5"],
        ["Jane Doe", "2026-03-09", "7"],
    ]
    _table, schedule = read(csv_bytes(rows))
    assert [r.currency for r in schedule.rows] == ["USD", "EUR", "EUR", "GBP", ""]
    assert any("not all in US dollars (EUR: 2 rows, GBP: 1 row)" in n for n in schedule.notes)
    reconciliation = run_schedule(facility, person, rows)
    assert reconciliation.totals["all"] == {"count": 5, "amount": "107.00"}
    assert reconciliation.totals["currencies"] == {
        "EUR": {"count": 2, "amount": "1020.00"},
        "GBP": {"count": 1, "amount": "5.00"},
    }
    assert "Amount in EUR: not added" in by_line(reconciliation)[3].note
    page = signed_in.get(reverse("audits:result", args=[facility.pk, reconciliation.pk]))
    text = page.content.decode()
    assert "Not all amounts are in US dollars." in text
    assert "EUR 1,020.00 (2 rows)" in text


def test_an_amount_naming_two_currencies_cannot_be_read():
    _table, schedule = read(
        csv_bytes([["Contractor", "Work date", "Amount"], ["Jane Doe", "2026-03-05", "$5 EUR"]])
    )
    assert schedule.rows[0].errors == ["Amount: it names two different currencies."]
