"""Sort orders and keyset pages: every row exactly once, even when many share a date or name."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest
from django.http import QueryDict

from compliance_hub.certificates import queries
from compliance_hub.certificates.queries import (
    Cursor,
    TableFilters,
    filtered_assignments,
    keyset,
    parse_cursor,
    table_page,
)
from tests import factories
from tests.portal.conftest import book

pytestmark = pytest.mark.django_db

SORTS = [(s, d) for s in ("effective", "end", "name") for d in ("asc", "desc")]


@pytest.fixture
def crowded(db):
    """29 assignments on only 3 effective dates, 4 end dates and 3 names: lots of ties."""
    facility = factories.facility()
    people = [
        factories.contractor(facility.partner, "Ann", "Lee"),
        factories.contractor(facility.partner, "Bea", "Lee"),
        factories.contractor(facility.partner, "Cy", "Ng"),
    ]
    day = date(2025, 6, 1)
    for i in range(29):
        effective = day + timedelta(days=i % 3)
        book(facility, people[i % 3], effective, effective + timedelta(days=i % 4))
    facility.refresh_from_db()  # as a request loads it: with its longest assignment
    return facility


def _key(a, sort):
    return {"effective": a.effective_date, "end": a.end_date, "name": a.sort_name}[sort]


def _walk(facility, filters, page_size, start=None, backwards=False):
    """Follow next (or previous) links to the end; return the rows in display order."""
    seen, pages, cursor = [], 0, start
    while True:
        page = table_page(facility, filters, cursor, page_size=page_size)
        pages += 1
        seen = seen + page.rows if not backwards else page.rows + seen
        token = page.previous_cursor if backwards else page.next_cursor
        if token is None:
            return seen, pages
        cursor = Cursor(keyset(filters).parse(token), before=backwards)
        assert pages < 100


@pytest.mark.parametrize(("sort", "direction"), SORTS)
@pytest.mark.parametrize("page_size", [1, 4, 7, 29, 50])
def test_walking_all_pages_returns_every_row_once_in_order(crowded, sort, direction, page_size):
    filters = TableFilters(sort=sort, direction=direction)
    rows, pages = _walk(crowded, filters, page_size)
    ids = [a.pk for a in rows]
    assert len(ids) == 29 == len(set(ids))  # no gaps, no duplicates
    assert pages == -(-29 // page_size)
    expected = [a.pk for a in filtered_assignments(crowded, filters)]
    assert ids == expected
    keys = [(_key(a, sort), a.pk) for a in rows]
    assert keys == sorted(keys, reverse=direction == "desc")


@pytest.mark.parametrize(("sort", "direction"), SORTS)
def test_walking_backwards_from_the_last_page_returns_the_same_rows(crowded, sort, direction):
    filters = TableFilters(sort=sort, direction=direction)
    forward, _ = _walk(crowded, filters, 6)
    last_page_start = forward[-(29 % 6 or 6) - 1]
    start = Cursor((_key(last_page_start, sort), last_page_start.pk))
    last = table_page(crowded, filters, start, page_size=6)
    assert [a.pk for a in last.rows] == [a.pk for a in forward[-(29 % 6 or 6) :]]
    assert last.next_cursor is None and last.previous_cursor is not None
    back_start = Cursor(keyset(filters).parse(last.previous_cursor), before=True)
    earlier, _ = _walk(crowded, filters, 6, start=back_start, backwards=True)
    assert [a.pk for a in earlier + last.rows] == [a.pk for a in forward]
    first = table_page(crowded, filters, back_start)
    assert first.is_first and first.previous_cursor is None


def test_default_order_is_newest_effective_date_first(crowded):
    rows = table_page(crowded, TableFilters(), page_size=29).rows
    assert rows[0].effective_date == date(2025, 6, 3)
    assert rows[-1].effective_date == date(2025, 6, 1)
    same_day = [a.pk for a in rows if a.effective_date == date(2025, 6, 3)]
    assert same_day == sorted(same_day, reverse=True)  # id breaks ties, newest first


def test_name_sort_is_last_name_then_first(crowded):
    rows = table_page(crowded, TableFilters(sort="name", direction="asc"), page_size=29).rows
    names = [a.contractor_name for a in rows]
    assert names == ["Ann Lee"] * 10 + ["Bea Lee"] * 10 + ["Cy Ng"] * 9


def test_pages_respect_filters(crowded):
    # Ann Lee works on Jun 1, Bea Lee on Jun 2, Cy Ng on Jun 3 (ten, ten and nine rows).
    filters = TableFilters(effective_to=date(2025, 6, 2), name="lee")
    rows, _ = _walk(crowded, filters, 3)
    assert {a.effective_date for a in rows} == {date(2025, 6, 1), date(2025, 6, 2)}
    assert {a.contractor_name for a in rows} == {"Ann Lee", "Bea Lee"}
    assert len(rows) == len({a.pk for a in rows}) == table_page(crowded, filters).total == 20
    rows, _ = _walk(crowded, TableFilters(effective_from=date(2025, 6, 2), name="lee"), 3)
    assert len(rows) == 10 and {a.contractor_name for a in rows} == {"Bea Lee"}


def test_count_is_exact_up_to_the_cap_then_says_more(crowded):
    page = table_page(crowded, TableFilters(), page_size=5, cap=29)
    assert (page.total, page.total_capped) == (29, False)
    page = table_page(crowded, TableFilters(), page_size=5, cap=28)
    assert (page.total, page.total_capped) == (28, True)
    assert queries.capped_count(crowded, TableFilters(), cap=10) == 11


@pytest.mark.parametrize("rare_name", [queries.RARE_NAME, 0])
@pytest.mark.parametrize(("sort", "direction"), SORTS)
@pytest.mark.parametrize(
    "query",
    ["q=lee", "q=lee+ann", "q=l", "q=lee&active_from=2025-06-02&active_to=2025-06-02", "q=ng"],
)
def test_a_name_search_pages_the_same_rows_however_common_the_name(
    crowded, monkeypatch, rare_name, sort, direction, query
):
    """A name with few rows is paged from the name indexes, a common one through the order's
    index (``RARE_NAME`` 0: every name is common): the same rows, pages and count."""
    monkeypatch.setattr(queries, "RARE_NAME", rare_name)
    filters, _ = queries.parse_filters(QueryDict(f"{query}&sort={sort}&dir={direction}"))
    expected = [a.pk for a in filtered_assignments(crowded, filters)]
    assert expected  # each query finds someone
    forward, _ = _walk(crowded, filters, 4)
    assert [a.pk for a in forward] == expected
    last = table_page(crowded, filters, Cursor((_key(forward[-5], sort), forward[-5].pk)))
    back = Cursor(keyset(filters).parse(last.previous_cursor), before=True)
    earlier, _ = _walk(crowded, filters, 4, start=back, backwards=True)
    assert [a.pk for a in earlier + last.rows] == expected
    assert table_page(crowded, filters).total == len(expected)
    assert table_page(crowded, filters, cap=2).total_capped == (len(expected) > 2)


def test_an_empty_later_page_still_counts(crowded, django_assert_num_queries):
    beyond = Cursor((date(2000, 1, 1), 1))
    with django_assert_num_queries(2):
        page = table_page(crowded, TableFilters(), beyond)
    assert page.rows == [] and page.total == 29 and page.next_cursor is None


def test_no_rows_no_count_query(db, django_assert_num_queries):
    facility = factories.facility()
    with django_assert_num_queries(1):
        page = table_page(facility, TableFilters())
    assert page.rows == [] and page.total == 0 and page.is_first


def _token(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "not-base64!!",
        _token(["effective-desc", "2025-06-02"]),  # too short
        _token(["effective-desc", "2025-06-31", 5]),  # impossible date
        _token(["effective-desc", "2025-06-02", "5"]),  # id not a number
        _token(["effective-desc", "2025-06-02", 2**70]),  # id too large
        _token(["effective-desc", "2025-06-02", True]),
        _token(["name-asc", "lee", 5]),  # made for another order
        _token(["effective-desc", {"x": 1}, 5]),
        _token(["effective-desc", "+2025-06-02", 5]),
        "A" * 1300,
    ],
)
def test_tampered_cursors_are_refused(token):
    filters = TableFilters()
    cursor, refused = parse_cursor(QueryDict(f"after={token}"), filters)
    assert cursor is None and refused


def test_cursor_round_trip():
    filters = TableFilters(sort="name", direction="desc")
    token = keyset(filters).cursor(("o'neil zoë", 42))
    parsed, refused = parse_cursor(QueryDict(f"before={token}"), filters)
    assert not refused and parsed == Cursor(("o'neil zoë", 42), before=True)
    longest = ("\U0001d51e" * 210, 2**63 - 1)  # the longest name, in 4-byte letters
    assert keyset(filters).parse(keyset(filters).cursor(longest)) == longest


NARROW = [
    # Sorted by one date, a short range on the other: the page sorts the range's rows.
    TableFilters(
        sort="end", direction="desc", effective_from=date(2025, 6, 1), effective_to=date(2025, 6, 2)
    ),
    TableFilters(
        sort="end", direction="asc", effective_from=date(2025, 6, 2), effective_to=date(2025, 6, 3)
    ),
    TableFilters(
        sort="effective", direction="desc", end_from=date(2025, 6, 3), end_to=date(2025, 6, 5)
    ),
    TableFilters(
        sort="effective", direction="asc", end_from=date(2025, 6, 1), end_to=date(2025, 6, 4)
    ),
]


@pytest.mark.parametrize("filters", NARROW)
def test_a_short_range_on_the_other_date_pages_in_the_same_order(crowded, filters):
    expected = [a.pk for a in filtered_assignments(crowded, filters)]
    assert 0 < len(expected) < 29
    forward, _ = _walk(crowded, filters, 4)
    assert [a.pk for a in forward] == expected
    keys = [(_key(a, filters.sort), a.pk) for a in forward]
    assert keys == sorted(keys, reverse=filters.direction == "desc")
    last = forward[-1]
    back_from = Cursor((_key(last, filters.sort), last.pk), before=True)
    earlier, _ = _walk(crowded, filters, 4, start=back_from, backwards=True)
    assert [a.pk for a in earlier] == expected[:-1]
