"""Dates and amounts as people and spreadsheets write them."""

from datetime import date
from decimal import Decimal

import pytest

from compliance_hub.audits.parsing.values import (
    DMY,
    EXCEL_1904,
    MDY,
    ValueProblem,
    detect_order,
    parse_amount,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-05", MDY, date(2026, 3, 5)),
        ("2026-03-05T08:00:00", MDY, date(2026, 3, 5)),
        ("2026-03-05 17:45", DMY, date(2026, 3, 5)),
        ("2026/3/5", MDY, date(2026, 3, 5)),
        ("03/05/2026", MDY, date(2026, 3, 5)),
        ("3/5/26", MDY, date(2026, 3, 5)),
        ("03/05/2026 2:30 PM", MDY, date(2026, 3, 5)),
        ("05/03/2026", DMY, date(2026, 3, 5)),
        ("05.03.2026", DMY, date(2026, 3, 5)),
        ("20260305", MDY, date(2026, 3, 5)),
        ("46086", MDY, date(2026, 3, 5)),
        ("46086.75", MDY, date(2026, 3, 5)),
        ("5 Mar 2026", MDY, date(2026, 3, 5)),
        ("05-Mar-26", MDY, date(2026, 3, 5)),
        ("March 5, 2026", DMY, date(2026, 3, 5)),
        ("Mar 5th 2026", MDY, date(2026, 3, 5)),
        ("Thu, Mar 5, 2026", MDY, date(2026, 3, 5)),
        ("Sept 30 2026", MDY, date(2026, 9, 30)),
    ],
)
def test_dates_in_common_formats(text, order, expected):
    assert parse_date(text, order) == expected


def test_serial_dates_of_1904_workbooks():
    # The 1904 date system counts 1,462 days fewer than the 1900 one (46086 - 1462).
    assert parse_date("44624", MDY, EXCEL_1904) == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "next tuesday",
            "“next tuesday” is not a date the hub understands (for example 2026-03-05, "
            "03/05/2026 or 5 Mar 2026)",
        ),
        ("02/30/2026", "“02/30/2026” is not a real date"),
        ("2026-13-01", "“2026-13-01” is not a real date"),
        (
            "13/02/2026",
            "“13/02/2026” does not fit the month/day order of the other dates in this column",
        ),
        ("1/1/1066", "“1/1/1066” has an unlikely year (1066)"),
    ],
)
def test_unreadable_dates_say_why(text, message):
    with pytest.raises(ValueProblem) as caught:
        parse_date(text, MDY)
    assert str(caught.value) == message


def test_order_follows_evidence_in_the_column():
    values = [(2, "03/04/2026"), (3, "03/14/2026"), (4, "01/02/2026")]
    order = detect_order(values)
    assert (order.order, order.evidence_line, order.conflict) == (MDY, 3, False)
    assert order.describe("Date") == (
        "Dates in “Date” are read as month/day/year (row 3 has “03/14/2026”)."
    )


def test_day_first_evidence_switches_the_column():
    order = detect_order([(2, "03/04/2026"), (3, "25/04/2026")])
    assert (order.order, order.evidence_line) == (DMY, 3)
    assert parse_date("03/04/2026", order.order) == date(2026, 4, 3)


def test_without_evidence_slashes_are_us_and_dots_day_first():
    assert detect_order([(2, "03/04/2026")]).order == MDY
    dotted = detect_order([(2, "03.04.2026"), (3, "01.02.2026")])
    assert dotted.order == DMY
    assert dotted.describe("Datum") == (
        "Dates in “Datum” are read as day/month/year (dotted dates are day first; "
        "no row shows otherwise)."
    )


def test_contradicting_rows_are_a_conflict_and_the_first_evidence_wins():
    order = detect_order([(2, "13/04/2026"), (3, "04/13/2026")])
    assert (order.order, order.conflict) == (DMY, True)
    with pytest.raises(ValueProblem):
        parse_date("04/13/2026", order.order)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.50", "1234.50"),
        ("$1,234.50", "1234.50"),
        ("USD 1,234.5", "1234.50"),
        ("(12.00)", "-12.00"),
        ("($12.00)", "-12.00"),
        ("-12", "-12.00"),
        ("12.00-", "-12.00"),
        ("−7.5", "-7.50"),  # noqa: RUF001 - the minus sign
        ("+3", "3.00"),
        ("1.234,50 €", "1234.50"),
        ("1 234,50", "1234.50"),
        ("12,5", "12.50"),
        ("1,234", "1234.00"),
        ("1,234,567.891", "1234567.89"),
        ("0.125", "0.13"),
        ("1'234.50", "1234.50"),
    ],
)
def test_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


def test_blank_amount_is_none():
    assert parse_amount("  ") is None


@pytest.mark.parametrize("text", ["abc", "1.2.3,4,5", "12,34,5", "$", "1,23.45", "--5"])
def test_garbage_amounts_are_refused(text):
    with pytest.raises(ValueProblem) as caught:
        parse_amount(text)
    assert str(caught.value) == f"“{text}” is not an amount"
