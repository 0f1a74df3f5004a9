"""Guessing which column holds what from the headers, and checking a chosen mapping."""

import pytest

from compliance_hub.audits.columns import check_mapping, column_label, date_basis, guess_mapping


def _named(header, mapping):
    return {key: header[col] for key, col in mapping.items() if col is not None}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Contractor", "Work date", "Amount"],
            {"name": "Contractor", "work_date": "Work date", "amount": "Amount"},
        ),
        (
            ["Payee Name", "E-mail", "Payment Date", "Date of service", "Amount Paid ($)"],
            {
                "name": "Payee Name",
                "email": "E-mail",
                "payment_date": "Payment Date",
                "work_date": "Date of service",
                "amount": "Amount Paid ($)",
            },
        ),
        (
            ["First Name", "Last Name", "Worker ID", "Period Start", "Period End", "Total"],
            {
                "first_name": "First Name",
                "last_name": "Last Name",
                "contractor_id": "Worker ID",
                "period_from": "Period Start",
                "period_to": "Period End",
                "amount": "Total",
            },
        ),
        (
            ["name", "date", "paid_on", "gross_pay"],
            {"name": "name", "work_date": "date", "payment_date": "paid_on", "amount": "gross_pay"},
        ),
        (
            ["Vendor", "Check Date", "Net"],
            {"name": "Vendor", "payment_date": "Check Date", "amount": "Net"},
        ),
        (["Memo", "Notes"], {}),
    ],
)
def test_guess_from_headers(header, expected):
    mapping = guess_mapping(header)
    assert _named(header, mapping) == expected


def test_guess_drops_half_a_period_and_half_a_name():
    header = ["First name", "Contractor", "Start date", "Date"]
    # Half a period is dropped; "Date" is then the lone date column: the payment date.
    assert _named(header, guess_mapping(header)) == {"name": "Contractor", "payment_date": "Date"}


def test_a_valid_guess_passes_the_check():
    header = ["Contractor", "Work date", "Amount"]
    assert check_mapping(guess_mapping(header)) == {}


def _mapping(**chosen):
    keys = [
        "name",
        "first_name",
        "last_name",
        "email",
        "contractor_id",
        "work_date",
        "period_from",
        "period_to",
        "payment_date",
        "amount",
    ]
    return {k: chosen.get(k) for k in keys}


@pytest.mark.parametrize(
    ("chosen", "errors"),
    [
        (
            {"work_date": 1},
            {"name": "Choose the column with the contractor's name (or e-mail, or contractor id)."},
        ),
        (
            {"name": 0},
            {
                "work_date": "Choose the column with the work date (or the service period, or "
                "the payment date)."
            },
        ),
        (
            {"name": 0, "work_date": 0},
            {"work_date": "This column is already used for “Contractor name”."},
        ),
        (
            {"name": 0, "first_name": 1, "last_name": 2, "work_date": 3},
            {"name": "Choose either a full-name column or first- and last-name columns."},
        ),
        (
            {"first_name": 1, "work_date": 3},
            {"last_name": "Choose both the first-name and the last-name column."},
        ),
        (
            {"name": 0, "work_date": 1, "period_from": 2, "period_to": 3},
            {"work_date": "Choose either a work date or a service period, not both."},
        ),
        (
            {"name": 0, "period_from": 2},
            {"period_to": "A service period needs both its first and its last day."},
        ),
    ],
)
def test_check_mapping_explains_problems(chosen, errors):
    assert check_mapping(_mapping(**chosen)) == errors


def test_e_mail_alone_identifies_and_payment_date_alone_dates():
    mapping = _mapping(email=0, payment_date=1)
    assert check_mapping(mapping) == {}
    assert date_basis(mapping) == "payment"


def test_column_labels_use_spreadsheet_letters():
    header = [f"h{i}" for i in range(30)]
    header[2] = ""
    assert column_label(header, 0) == "A: h0"
    assert column_label(header, 2) == "C: (no header)"
    assert column_label(header, 27) == "AB: h27"
