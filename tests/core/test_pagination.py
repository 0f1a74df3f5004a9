"""Page cursors (core.pagination): every value a client can put in one is refused or read back
as written, never a server error, on the certificate table, the activity log and the API."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from compliance_hub.activity.queries import NEWEST_FIRST
from compliance_hub.certificates.queries import TableFilters, keyset
from compliance_hub.core.pagination import MAX_ID, InvalidCursor, Keyset
from compliance_hub.partner_api.keys import create_key
from tests import factories

BY_DAY = Keyset("day", fields=("effective_date", "id"), kinds=(date, int), descending=True)
BY_NAME = Keyset("name", fields=("sort_name", "id"), kinds=(str, int), descending=False)
BY_TIME = Keyset("time", fields=("at", "id"), kinds=(datetime, int), descending=True)

# Text a client may put in a cursor: NUL, lone surrogates, digits of other scripts.
TEXT = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(categories=["Cs", "Cc", "Nd"]), max_size=5),
    st.sampled_from(["lee\x00", "\ud800", "a\udfffb", "\uff12\uff10\uff12\uff15-01-01"]),
)
# Dates and times out of range, at the edges, or written wrongly.
MOMENTS = st.one_of(
    st.dates().map(date.isoformat),
    st.datetimes(
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=14))]
        )
    ).map(datetime.isoformat),
    st.sampled_from(
        [
            "0000-01-01",
            "10000-01-01",
            "9999-12-31",
            "0001-01-01",
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+05:00",
            "2025-02-30",
            "2025-01-01T00:00:00",  # no time zone
            "\u0662\u0660\u0662\u0665-\u0660\u0661-\u0660\u0661",  # Arabic-Indic digits
        ]
    ),
)
NUMBERS = st.one_of(
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from([0, -1, MAX_ID, MAX_ID + 1, 2**64, 10**40, True, None]),
)
VALUES = st.one_of(TEXT, MOMENTS, NUMBERS, st.lists(NUMBERS, max_size=2))
TAGS = st.one_of(st.sampled_from(["day", "name", "time", "at", "updated", "name-asc"]), TEXT)
# Mostly the right shape (tag, value, id), so that each value reaches its check.
PAYLOADS = st.one_of(
    st.tuples(TAGS, VALUES, st.one_of(NUMBERS, VALUES)).map(list),
    st.lists(st.one_of(TAGS, VALUES), max_size=5),
    VALUES,
)


def token(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# Raw query-string text (a URL cannot carry a lone surrogate), or encoded payloads.
TOKENS = st.one_of(
    PAYLOADS.map(token), st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
)
FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- the cursor itself ----------------------------------------------------------------


@given(st.dates(), st.integers(1, MAX_ID))
def test_a_date_cursor_reads_back_what_it_wrote(day, pk):
    assert BY_DAY.parse(BY_DAY.cursor((day, pk))) == (day, pk)


@given(
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")),
    st.integers(1, MAX_ID),
)
def test_a_name_cursor_reads_back_what_it_wrote(name, pk):
    assert BY_NAME.parse(BY_NAME.cursor((name, pk))) == (name, pk)


@given(st.datetimes(timezones=st.just(UTC)), st.integers(1, MAX_ID))
def test_a_time_cursor_reads_back_what_it_wrote(moment, pk):
    assert BY_TIME.parse(BY_TIME.cursor((moment, pk))) == (moment, pk)


@given(TOKENS)
@example(token(["name", "lee\x00", 5]))
@example(token(["name", "\ud800", 5]))
@example(token(["time", "9999-12-31T23:59:59-05:00", 5]))
@example(token(["day", "+2025-06-02", 5]))
def test_anything_else_is_an_invalid_cursor(text):
    """Each order accepts only values of its fields' types, in range; nothing else escapes."""
    for order in (BY_DAY, BY_NAME, BY_TIME):
        try:
            values = order.parse(text)
        except InvalidCursor:
            continue
        assert [type(v) for v in values] == list(order.kinds)
        assert 0 < values[-1] <= MAX_ID
        if isinstance(values[0], str):
            assert "\x00" not in values[0]
            values[0].encode()  # no lone surrogate
        if isinstance(values[0], datetime):
            assert values[0].tzinfo == UTC


def test_a_cursor_for_another_order_is_refused():
    with pytest.raises(InvalidCursor):
        BY_NAME.parse(BY_DAY.cursor((date(2025, 1, 1), 5)))


# --- every paged list -----------------------------------------------------------------


def _reads(order: Keyset, text: str) -> bool:
    """Whether ``text`` is a cursor of ``order``."""
    try:
        order.parse(text)
    except InvalidCursor:
        return False
    return True


@pytest.fixture
def lists(db):
    """A facility with a primary contact (who sees its activity log) and a partner key."""
    facility = factories.facility()
    contractor = factories.contractor(facility.partner, "Ann", "Lee")
    for day in (1, 2, 3):
        factories.assignment(facility, contractor, date(2025, 1, day), date(2025, 1, day + 3))
    primary = factories.member(facility, role="primary")
    member = Client()
    member.force_login(primary)
    member.get(f"/facilities/{facility.pk}/certificates/")  # some activity
    _, raw_key = create_key(facility.partner, name="cursor tests")
    return facility, member, Client(headers={"Authorization": f"Bearer {raw_key}"})


def _refused(client, url, params) -> bool:
    """The page answers (200) and says whether it could not read the cursor."""
    response = client.get(url, params)
    assert response.status_code == 200
    return "That page link no longer works" in response.content.decode()


@FAST
@given(text=TOKENS)
@example(text=token(["name-asc", "lee\x00", 5]))
@example(text=token(["name-asc", "\ud800", 5]))
@example(text=token(["effective-desc", "10000-01-01", 5]))
def test_the_table_explains_a_cursor_it_cannot_read(lists, text):
    facility, member, _ = lists
    for sort, direction in (("name", "asc"), ("effective", "desc")):
        params = {"sort": sort, "dir": direction, "after": text}
        order = keyset(TableFilters(sort=sort, direction=direction))
        assert _refused(member, f"/facilities/{facility.pk}/certificates/", params) == (
            bool(text) and not _reads(order, text)
        )


@FAST
@given(text=TOKENS)
@example(text=token(["at", "9999-12-31T23:59:59-05:00", 5]))
@example(text=token(["at", "0001-01-01T00:00:00+05:00", 5]))
@example(text=token(["at", "2025-01-01T00:00:00\x00+00:00", 5]))
def test_the_activity_log_explains_a_cursor_it_cannot_read(lists, text):
    facility, member, _ = lists
    for position in ("after", "before"):
        assert _refused(member, f"/facilities/{facility.pk}/activity/", {position: text}) == (
            bool(text) and not _reads(NEWEST_FIRST, text)
        )


@FAST
@given(text=TOKENS)
@example(text=token(["updated", "2025-01-01T00:00:00+00:00\x00", 5]))
@example(text=token(["updated", "9999-12-31T23:59:59-05:00", 5]))
def test_the_api_answers_a_cursor_it_cannot_read_with_a_problem(lists, text):
    _, _, api = lists
    for path in ("/api/v1/assignments", "/api/v1/facilities", "/api/v1/contractors"):
        cache.clear()  # no rate limit in the way
        response = api.get(path, {"cursor": text, "limit": 2})
        assert response.status_code in (200, 422), (path, response.status_code)
        if response.status_code == 422:
            assert response["Content-Type"] == "application/problem+json"
            assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


def test_the_api_walks_every_item_once_with_its_cursors(lists):
    _, _, api = lists
    seen, cursor = [], None
    while True:
        page = api.get(
            "/api/v1/assignments", {"limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200
        seen += [item["external_id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3
