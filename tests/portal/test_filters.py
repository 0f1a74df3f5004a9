"""Every table filter, alone and combined, against results worked out by hand (see conftest)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.http import QueryDict

from compliance_hub.certificates import queries
from compliance_hub.certificates.queries import (
    TableFilters,
    filtered_assignments,
    parse_filters,
    preset_range,
)
from tests import factories
from tests.portal.conftest import book

pytestmark = pytest.mark.django_db

ALL = {"A1", "A2", "A3", "A4", "A5", "A6"}

CASES = [
    # (query string, expected rows)
    ("", ALL),
    # Effective date range, both ends inclusive.
    ("effective_from=2025-01-01", {"A1", "A2", "A3", "A4", "A6"}),
    ("effective_to=2025-01-01", {"A1", "A2", "A5"}),
    ("effective_from=2025-01-01&effective_to=2025-01-15", {"A1", "A2", "A3"}),
    ("effective_from=2025-01-02&effective_to=2025-01-14", set()),
    # End date range, both ends inclusive.
    ("end_from=2025-01-10", {"A2", "A3", "A4", "A6"}),
    ("end_to=2025-01-05", {"A1", "A5"}),
    ("end_from=2025-01-05&end_to=2025-01-10", {"A2", "A5"}),
    # Active during: overlaps the period (effective <= to and end >= from).
    ("active_from=2025-01-05&active_to=2025-01-05", {"A2", "A5"}),
    ("active_from=2025-01-11&active_to=2025-01-14", set()),  # the gap between A2 and A3
    ("active_from=2025-01-10&active_to=2025-01-15", {"A2", "A3"}),  # touching both ends
    ("active_from=2025-02-01", {"A3", "A4", "A6"}),  # still running on/after Feb 1
    ("active_to=2024-12-31", {"A5"}),  # started on/before Dec 31
    ("active_from=2025-02-16&active_to=2025-02-28", set()),
    ("active_from=2024-01-01&active_to=2026-12-31", ALL),
    # Status.
    ("status=void", {"A6"}),
    ("status=current", ALL - {"A6"}),
    # Contractor name: prefixes of first or last name, any order, accents/case ignored.
    ("q=ann", {"A1", "A4"}),
    ("q=LEE", {"A1", "A4"}),
    ("q=Lee,+Ann", {"A1", "A4"}),
    ("q=ann+lee", {"A1", "A4"}),
    ("q=an", {"A1", "A4"}),
    ("q=zoe", {"A3"}),
    ("q=Zo%C3%AB", {"A3"}),
    ("q=o%27neil", {"A3"}),
    ("q=ONEIL", {"A3"}),
    ("q=aberg", {"A5"}),
    ("q=%C3%85berg", {"A5"}),
    ("q=bo+st", {"A2"}),
    ("q=stone,+bo", {"A2"}),
    ("q=smith", {"A6"}),
    ("q=smith-jones", {"A6"}),
    ("q=a", {"A1", "A4", "A5"}),  # first names Ann, last name Åberg
    ("q=lee+bob", set()),
    ("q=ee", set()),  # not a prefix
    # Combinations.
    ("active_from=2025-01-01&active_to=2025-01-31&q=ann", {"A1"}),
    ("effective_from=2025-01-01&end_to=2025-01-10", {"A1", "A2"}),
    ("active_from=2025-01-01&active_to=2025-03-01&status=void", {"A6"}),
    ("active_from=2025-01-01&active_to=2025-03-01&status=current", {"A1", "A2", "A3", "A4", "A5"}),
    ("effective_from=2024-12-01&effective_to=2025-01-31&end_from=2025-01-05&q=o", {"A3"}),
    ("effective_from=2024-12-01&effective_to=2025-01-31&end_to=2025-02-14&q=o", set()),
    (
        "effective_from=2024-12-01&effective_to=2025-01-31&end_from=2025-01-05&end_to=2025-02-28"
        "&active_from=2025-01-05&active_to=2025-01-05",
        {"A2", "A5"},
    ),
    ("end_from=2025-01-01&end_to=2025-01-31&q=carl+aberg", {"A5"}),
]


def _filters(querystring: str) -> TableFilters:
    filters, form = parse_filters(QueryDict(querystring))
    assert not form.errors, form.errors
    return filters


@pytest.mark.parametrize(("querystring", "expected"), CASES)
def test_filter_matches_hand_computed_rows(roster, querystring, expected):
    filters = _filters(querystring)
    rows = list(filtered_assignments(roster.facility, filters))
    assert set(roster.labels(rows)) == expected
    assert queries.table_page(roster.facility, filters).total == len(expected)


def test_writes_keep_the_longest_assignment_bound(roster):
    """The facility's bound covers its longest assignment (A3: Jan 15 - Feb 15), and grows
    with a longer one; a shorter one leaves it."""
    assert roster.facility.longest_assignment_days == 31
    contractor = factories.contractor(roster.facility.partner)
    book(roster.facility, contractor, date(2025, 1, 1), date(2025, 12, 31))
    book(roster.facility, contractor, date(2025, 5, 1), date(2025, 5, 2))
    roster.facility.refresh_from_db()
    roster.other.refresh_from_db()
    assert roster.facility.longest_assignment_days == 364
    assert roster.other.longest_assignment_days == 0  # Ann Lee's one day there


@pytest.mark.parametrize("longest", [31, 400])
@pytest.mark.parametrize(("querystring", "expected"), CASES)
def test_table_pages_and_exports_list_the_same_rows_in_the_same_order(
    roster, querystring, expected, longest
):
    """Page by page, in every sort order, the table lists exactly what the exports list, in
    the same order, with the facility's bound (31 days) or any larger one."""
    roster.facility.longest_assignment_days = longest
    for sort in ("effective", "end", "name"):
        for direction in ("asc", "desc"):
            filters = _filters(f"{querystring}&sort={sort}&dir={direction}")
            exported = [a.pk for a in filtered_assignments(roster.facility, filters)]
            listed, cursor = [], None
            while True:
                page = queries.table_page(roster.facility, filters, cursor, page_size=2)
                listed += [row.id for row in page.rows]
                if page.next_cursor is None:
                    break
                cursor = queries.Cursor(queries.keyset(filters).parse(page.next_cursor))
            assert listed == exported, (sort, direction)
            assert len(listed) == len(expected)


@pytest.mark.parametrize("q", ["dav", "david", "dav+dav", "davies+d", "d"])
def test_a_name_matching_as_first_and_as_last_name_is_counted_once(db, q):
    """The count reads first-name and last-name index ranges separately; a row in both
    (David Davies for "dav") is one assignment."""
    facility = factories.facility()
    day = date(2025, 1, 1)
    book(facility, factories.contractor(facility.partner, "David", "Davies"), day, day)
    book(facility, factories.contractor(facility.partner, "Ann", "Davidson"), day, day)
    filters = _filters(f"q={q}")
    expected = [a.pk for a in filtered_assignments(facility, filters)]
    page = queries.table_page(facility, filters)
    assert [row.id for row in page.rows] == expected
    assert page.total == len(expected) >= 1


def test_overlap_semantics_match_a_brute_force_check(db):
    """Random assignments and periods: "active during" is exactly interval overlap."""
    rng = random.Random(20260304)
    facility = factories.facility()
    contractor = factories.contractor(facility.partner)
    start = date(2025, 1, 1)
    spans = {}
    for _ in range(40):
        effective = start + timedelta(days=rng.randrange(0, 90))
        end = effective + timedelta(days=rng.choice([0, 0, 1, 3, 10, 45]))
        spans[book(facility, contractor, effective, end).pk] = (effective, end)
    facility.refresh_from_db()
    assert facility.longest_assignment_days == max((e - s).days for s, e in spans.values())
    for _ in range(25):
        lo = start + timedelta(days=rng.randrange(-10, 100))
        hi = lo + timedelta(days=rng.randrange(0, 20))
        filters = TableFilters(active_from=lo, active_to=hi)
        want = {pk for pk, (eff, end) in spans.items() if eff <= hi and end >= lo}
        assert {a.pk for a in filtered_assignments(facility, filters)} == want, (lo, hi)
        page = queries.table_page(facility, filters, page_size=100)
        assert {row.id for row in page.rows} == want and page.total == len(want), (lo, hi)


def test_other_facilities_rows_never_appear(roster):
    rows = filtered_assignments(roster.other, _filters(""))
    assert [a.facility_id for a in rows] == [roster.other.pk]
    assert not set(roster.labels(rows)) & ALL


def test_filtered_assignments_joins_the_current_certificate(roster, django_assert_num_queries):
    with django_assert_num_queries(1):  # the rows with their certificates: none per row
        rows = list(filtered_assignments(roster.facility, _filters("")))
        numbers = [a.current_certificate.number for a in rows]
    assert all(n.startswith("CH-") for n in numbers)
    void = roster.rows["A6"]
    assert {a.pk: a.current_certificate.status for a in rows}[void.pk] == "void"


# --- Parsing and validation -------------------------------------------------------------


def _errors(querystring: str) -> dict[str, list[str]]:
    _filters, form = parse_filters(QueryDict(querystring))
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


@pytest.mark.parametrize(
    ("querystring", "field", "message"),
    [
        ("effective_from=2026-02-30", "effective_from", "2026-02-30 is not a real date"),
        ("end_to=2025-13-01", "end_to", "2025-13-01 is not a real date"),
        ("active_from=yesterday", "active_from", "Enter the date as year-month-day"),
        ("effective_to=03/04/2026", "effective_to", "Enter the date as year-month-day"),
        ("end_from=0001-01-01", "end_from", "Enter a year between 1900 and 2199"),
        ("end_from=99999-01-01", "end_from", "Enter a year between 1900 and 2199"),
        ("effective_from=" + "9" * 300, "effective_from", "Enter the date as year-month-day"),
        (
            "effective_from=2025-03-01&effective_to=2025-02-01",
            "effective_to",
            "The “to” date (Feb 1, 2025) is before the “from” date (Mar 1, 2025)",
        ),
        ("active_from=2025-03-01&active_to=2025-02-01", "active_to", "active during filter"),
        ("q=" + "x" * 101, "q", "Type at most 100 characters"),
        ("q=%21%21%21", "q", "Type letters of the contractor's name"),
        ("q=a%00b", "q", "Null characters are not allowed"),
        ("status=maybe", "status", "Choose All, Current or Void"),
    ],
)
def test_invalid_input_is_explained_next_to_its_field(querystring, field, message):
    errors = _errors(querystring)
    assert list(errors) == [field]
    assert message in " ".join(errors[field])


def test_invalid_fields_are_dropped_and_valid_ones_kept():
    filters, form = parse_filters(
        QueryDict("effective_from=2026-02-30&end_from=2025-01-01&q=lee&sort=name&dir=desc")
    )
    assert form.errors
    assert filters.effective_from is None
    assert filters.end_from == date(2025, 1, 1)
    assert filters.name == "lee"
    assert (filters.sort, filters.direction) == ("name", "desc")


def test_a_reversed_range_drops_both_ends():
    filters, _form = parse_filters(QueryDict("end_from=2025-03-01&end_to=2025-02-01"))
    assert filters.end_from is None and filters.end_to is None


def test_unknown_sort_falls_back_to_the_default():
    filters, form = parse_filters(QueryDict("sort=salary&dir=sideways"))
    assert not form.errors
    assert (filters.sort, filters.direction) == ("effective", "desc")
    filters, _ = parse_filters(QueryDict("sort=name"))
    assert (filters.sort, filters.direction) == ("name", "asc")


def test_as_querystring_round_trips():
    filters = _filters(
        "effective_from=2025-01-01&end_to=2025-02-01&active_from=2025-01-05"
        "&active_to=2025-01-06&q=Lee%2C+Ann&status=void&sort=end&dir=asc"
    )
    again, form = parse_filters(QueryDict(filters.as_querystring()))
    assert not form.errors
    assert again == filters
    assert TableFilters().as_querystring() == ""
    assert "q=" not in filters.as_querystring(name="")
    assert "q" not in filters.switch_params and filters.switch_params["status"] == "void"


def test_describe_says_what_is_filtered():
    filters = _filters("active_from=2025-01-01&active_to=2025-12-31&q=lee&status=void")
    assert filters.describe() == [
        "Active during Jan 1, 2025 to Dec 31, 2025",
        "Contractor name “lee”",
        "Void only",
    ]
    assert TableFilters(active_from=date(2025, 1, 1)).describe() == [
        "Active on or after Jan 1, 2025"
    ]
    assert TableFilters(end_to=date(2025, 1, 1)).describe() == ["Ending on or before Jan 1, 2025"]


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        ("last_6_months", date(2026, 3, 4), (date(2025, 9, 4), date(2026, 3, 4))),
        ("last_6_months", date(2026, 8, 31), (date(2026, 2, 28), date(2026, 8, 31))),
        ("last_6_months", date(2024, 8, 31), (date(2024, 2, 29), date(2024, 8, 31))),
        ("this_year", date(2026, 3, 4), (date(2026, 1, 1), date(2026, 12, 31))),
        ("last_year", date(2026, 1, 1), (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_presets_are_active_during_ranges(preset, today, expected):
    assert preset_range(preset, today) == expected


def test_preset_parameter_fills_the_active_range():
    filters, form = parse_filters(QueryDict("preset=last_year&active_from=2020-01-01"))
    assert not form.errors
    assert (filters.active_from, filters.active_to) == preset_range("last_year")
    assert filters.preset_is_active("last_year")
    assert "preset" not in filters.as_querystring()
