"""Reading a facility's assignments for the certificate table, its exports and audits.

The public API other features call:

- ``parse_filters(querydict) -> (TableFilters, form)``: the validated filters (invalid
  fields are left out and explained on the form);
- ``filtered_assignments(facility, filters)``: every matching row in display order;
- ``table_page(facility, filters, cursor, page_size)``: one keyset page plus a capped count;
- ``TableFilters.as_querystring()``: the filters as URL parameters, so links keep them.

Callers must already have checked access to ``facility`` (facilities.queries).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any, Literal

from django.db import connection
from django.db.models import F, Q, QuerySet, Subquery
from django.http import QueryDict

from compliance_hub.certificates import page_sql
from compliance_hub.certificates.expressions import DurationDays
from compliance_hub.certificates.filters import (
    DEFAULT_DIRECTION,
    PRESETS,
    SORT_COLUMNS,
    Direction,
    SortKey,
    TableFilters,
    parse_filters,
    preset_range,
)
from compliance_hub.certificates.models import Assignment
from compliance_hub.facilities.models import Facility

__all__ = [
    "COUNT_CAP",
    "DEFAULT_DIRECTION",
    "PAGE_SIZE",
    "PRESETS",
    "SORT_COLUMNS",
    "Cursor",
    "Page",
    "TableFilters",
    "TableRow",
    "capped_count",
    "filtered_assignments",
    "parse_cursor",
    "parse_filters",
    "preset_range",
    "table_page",
]

PAGE_SIZE = 50
# The count is exact up to this many rows; beyond it the table says "more than 10,000".
COUNT_CAP = 10_000
# When the model declares this index, "active during" queries read a bounded range.
DURATION_INDEX_NAME = "asg_fac_duration_idx"
# Above every character a folded name can contain: the end of a prefix range.
_PREFIX_END = "\U0010ffff"


def uses_duration_bound() -> bool:
    """Whether the (facility, duration) index exists, making the overlap bound a cheap probe."""
    return any(getattr(ix, "name", "") == DURATION_INDEX_NAME for ix in Assignment._meta.indexes)


_NAME_COLUMNS = ("search_name", "sort_name")


def _drivers(tokens: tuple[str, ...]) -> list[str]:
    """The tokens that drive an index range: those of two or more letters, else the longest."""
    return [t for t in tokens if len(t) >= 2] or [max(tokens, key=len)]


@dataclass(frozen=True)
class NameArm:
    """Names in ``column`` that start with ``token`` and have a word starting with each of
    ``others``."""

    column: str
    token: str
    others: tuple[str, ...]

    @property
    def range_end(self) -> str:
        return self.token + _PREFIX_END


def name_arms(tokens: tuple[str, ...], drivers: list[str]) -> list[NameArm]:
    """Conditions, any of which a row must meet: its name has a word starting with each token.

    Each driver token is an index range of the facility's rows: the name starts with it as
    a first name (``search_name``, "first last") or as a last name (``sort_name``, "last
    first"); each other token must start a word of that name (plain conditions on the one
    column, no expression, so the index alone can answer and the query compiles cheaply).
    """
    return [
        NameArm(column, token, tuple(t for t in tokens if t != token))
        for token in drivers
        for column in _NAME_COLUMNS
    ]


def _arm_q(arm: NameArm) -> Q:
    condition = Q(**{f"{arm.column}__gte": arm.token, f"{arm.column}__lt": arm.range_end})
    for other in arm.others:
        condition &= Q(**{f"{arm.column}__startswith": other}) | Q(
            **{f"{arm.column}__contains": f" {other}"}
        )
    return condition


def _name_filter(qs: QuerySet[Assignment], facility: Facility, tokens: tuple[str, ...]) -> Any:
    """Keep the rows whose contractor name matches ``tokens`` (see ``name_arms``).

    One driving word: the arms are ORed on the rows, so PostgreSQL can walk a date index
    until the page is full or combine the name indexes' ranges. Several ("michael
    velkaka"): each arm checks the other words inside its name index (index-only scans of
    ``(facility, name, id)``) and only the few ids that pass are looked up, so a first name
    shared by thousands costs no table reads for the rows the last name rules out.
    """
    drivers = _drivers(tokens)
    arms = [_arm_q(arm) for arm in name_arms(tokens, drivers)]
    if len(drivers) == 1:
        condition = Q()
        for arm in arms:
            condition |= arm
        return qs.filter(condition)
    ids = [
        Assignment.objects.filter(arm, facility_id=facility.pk).order_by().values("id")
        for arm in arms
    ]
    return qs.filter(id__in=ids[0].union(*ids[1:], all=True))


def longest_days_subquery(facility_ref: Any) -> Subquery:
    """The facility's longest assignment in days (``None`` if it has none), as a subquery.

    For an annotation, e.g. on the person's memberships; one probe of the duration index.
    """
    return Subquery(
        Assignment.objects.filter(facility_id=facility_ref)
        .annotate(days=DurationDays())
        .order_by("-days")
        .values("days")[:1]
    )


def longest_assignment_days(facility: Facility) -> int | None:
    """Days from start to end of the facility's longest assignment, when that is cheap.

    ``None`` (no bound is used) unless the (facility, duration) index exists.
    """
    if not uses_duration_bound():
        return None
    days = (
        Assignment.objects.filter(facility_id=facility.pk)
        .annotate(days=DurationDays())
        .order_by("-days")
        .values_list("days", flat=True)
        .first()
    )
    return days or 0


# A condition on one column: (column, "gte" | "lte" | "exact", value).
Condition = tuple[str, str, Any]


def conditions(
    filters: TableFilters, *, longest: int | None = None, page: bool = False
) -> list[Condition]:
    """The conditions on the row's own columns that ``filters`` asks for (not the name).

    ``longest`` (days, see ``longest_assignment_days``) bounds "active during": an
    assignment overlapping [from, to] starts on or after ``from - longest``, so the
    effective-date index reads a bounded range instead of the facility's whole history.
    ``page=True`` adds more conditions implied by the filters (an assignment ends on or
    after it starts, at most ``longest`` days later) so that an index scan in any date
    order starts and stops near the matching rows. None of them changes the result. The
    count leaves the page-only ones out: they would add table reads to index-only scans.
    """
    bounds: list[tuple[str, str, date | None]] = [
        ("effective_date", "gte", filters.effective_from),
        ("effective_date", "lte", filters.effective_to),
        ("end_date", "gte", filters.end_from),
        ("end_date", "lte", filters.end_to),
        # Active during [from, to]: the assignment overlaps the period, ends included.
        ("effective_date", "lte", filters.active_to),
        ("end_date", "gte", filters.active_from),
    ]
    if longest is not None and filters.active_from:
        bounds.append(("effective_date", "gte", filters.active_from - timedelta(days=longest)))
    if page:
        bounds += [
            ("effective_date", "lte", filters.end_to),
            ("end_date", "gte", filters.effective_from),
        ]
        if longest is not None:
            shift = timedelta(days=longest)
            bounds += [
                ("effective_date", "gte", filters.end_from and filters.end_from - shift),
                ("end_date", "lte", filters.effective_to and filters.effective_to + shift),
                ("end_date", "lte", filters.active_to and filters.active_to + shift),
            ]
    found: list[Condition] = [bound for bound in bounds if bound[2] is not None]
    if filters.status == "current":
        found.append(("status", "exact", Assignment.Status.ACTIVE.value))
    elif filters.status == "void":
        found.append(("status", "exact", Assignment.Status.CANCELLED.value))
    return found


def _matching(
    facility: Facility,
    filters: TableFilters,
    *,
    longest: int | None = None,
    page: bool = False,
) -> QuerySet[Assignment]:
    """Rows of ``facility`` that match ``filters``, unordered (see ``conditions``)."""
    found = conditions(filters, longest=longest, page=page)
    qs = Assignment.objects.filter(
        *(Q(**{f"{column}__{op}": value}) for column, op, value in found),
        facility_id=facility.pk,
    )
    if filters.name_tokens:
        qs = _name_filter(qs, facility, filters.name_tokens)
    return qs


def _count_column(filters: TableFilters) -> str | None:
    """The date column whose index the capped count reads in order (newest first), if any.

    With an order, a sequential scan (which would need a full sort) is never cheaper than
    walking an index, even when most of the facility's rows match. The column is one the
    date filters bound directly, so that index's range is read in order, with no sort. A
    name search reads its name index ranges instead; an order would slow it.
    """
    if filters.name_tokens:
        return None
    effective = filters.effective_from or filters.effective_to or filters.active_to
    end = filters.end_from or filters.end_to or filters.active_from
    if effective and end:
        # Both columns bounded (e.g. "active during"): either index reads a bounded range,
        # and the planner knows which is shorter; an order would force it to sort that
        # range (17,000 rows for "this year") rather than stop at the cap.
        return None
    return "end_date" if end else "effective_date"


# A "from" to "to" range on the other date column this short selects few enough rows to sort.
NARROW_DAYS = 62


def _narrow_other_range(filters: TableFilters) -> bool:
    """Whether the page should sort the rows a short range on the *other* date selects.

    Sorted by end date with effective dates in one month (or the reverse), walking the
    sort column's index reads every row of the long assignments' reach before the month's
    (32,000 rows for the benchmark's page) where the month's own range is ~3,000 rows.
    """
    ranges = {
        "effective_date": (filters.effective_from, filters.effective_to),
        "end_date": (filters.end_from, filters.end_to),
    }
    column = SORT_COLUMNS[filters.sort]
    if column not in ranges:
        return False
    start, stop = ranges["end_date" if column == "effective_date" else "effective_date"]
    return bool(start and stop and (stop - start).days <= NARROW_DAYS)


def _order(filters: TableFilters) -> tuple[Any, Any]:
    """The display order: the sort column, then id (the page statement's, ``page_sql``)."""
    column = SORT_COLUMNS[filters.sort]
    if filters.direction == "desc":
        return F(column).desc(), F("id").desc()
    return F(column).asc(), F("id").asc()


class _Fetch:
    """Marker: look the facility's longest assignment up (one cheap query, if indexed)."""


FETCH = _Fetch()


def _longest(facility: Facility, longest: int | _Fetch | None) -> int | None:
    return longest_assignment_days(facility) if isinstance(longest, _Fetch) else longest


def filtered_assignments(
    facility: Facility, filters: TableFilters, *, longest: int | _Fetch | None = FETCH
) -> QuerySet[Assignment]:
    """Every assignment of ``facility`` matching ``filters``, in display order.

    With the current certificate joined (``select_related``). For exports and audits;
    iterate with ``.iterator(chunk_size=...)`` for large sets.
    """
    return (
        _matching(facility, filters, longest=_longest(facility, longest), page=True)
        .select_related("current_certificate")
        .order_by(*_order(filters))
    )


# --- Keyset pagination -------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in one sort order: rows strictly ``after`` or ``before`` (value, id)."""

    sort: SortKey
    direction: Direction
    position: Literal["after", "before"]
    value: date | str
    id: int

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        raw = json.dumps([self.sort, self.direction, value, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


class InvalidCursor(ValueError):
    """A page link that was tampered with, truncated, or made for another sort order."""


def decode_cursor(
    token: str, position: Literal["after", "before"], filters: TableFilters
) -> Cursor:
    """Read a cursor token from a page link; raise InvalidCursor for anything unexpected."""
    if not token or len(token) > 600:
        raise InvalidCursor("empty or too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        sort, direction, value, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidCursor("undecodable") from exc
    if (sort, direction) != (filters.sort, filters.direction):
        raise InvalidCursor("made for another sort order")
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
        raise InvalidCursor("bad id")
    if not isinstance(value, str) or len(value) > 250:
        raise InvalidCursor("bad value")
    if sort in ("effective", "end"):
        try:
            value = date.fromisoformat(value)
        except ValueError as exc:
            raise InvalidCursor("bad date") from exc
    return Cursor(sort, direction, position, value, pk)


def parse_cursor(querydict: QueryDict, filters: TableFilters) -> tuple[Cursor | None, bool]:
    """The page position in the URL (``after=`` or ``before=``), and whether one was refused."""
    for position in ("after", "before"):
        token = querydict.get(position)
        if token:
            try:
                return decode_cursor(token, position, filters), False
            except InvalidCursor:
                return None, True
    return None, False


@dataclass(slots=True)
class TableRow:
    """One row of a table page: the assignment's columns the page shows, and the number of
    its current certificate. Plain values (no model instance: building 50 per page was a
    noticeable part of the request)."""

    id: int
    effective_date: date
    end_date: date
    description: str
    status: str
    contractor_name: str
    sort_name: str
    certificate_number: str | None

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class Page:
    """One page of the table. Rows carry ``certificate_number`` (the current certificate)."""

    rows: list[TableRow]
    total: int
    total_capped: bool  # True: there are more than ``total`` matching rows
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def _cursor_for(row: TableRow, filters: TableFilters, position: str) -> str:
    value = getattr(row, SORT_COLUMNS[filters.sort])
    return Cursor(filters.sort, filters.direction, position, value, row.pk).encode()  # type: ignore[arg-type]


# The model's fields of a TableRow, in order (then the certificate number).
_PAGE_FIELDS = tuple(f.name for f in fields(TableRow))[:-1]


def _count_rows(
    facility: Facility, filters: TableFilters, cap: int, longest: int | None
) -> QuerySet[Any]:
    qs = _matching(facility, filters, longest=longest)
    # facility_id is in every index, so the count can be an index-only scan.
    column = _count_column(filters)
    order = (f"-{column}", "-id") if column else ()
    return qs.order_by(*order).values("facility_id")[: cap + 1]


def capped_count(
    facility: Facility,
    filters: TableFilters,
    cap: int = COUNT_CAP,
    *,
    longest: int | _Fetch | None = FETCH,
) -> int:
    """How many rows match, counting at most ``cap + 1`` (one query)."""
    return _count_rows(facility, filters, cap, _longest(facility, longest)).count()


def table_page(
    facility: Facility,
    filters: TableFilters,
    cursor: Cursor | None = None,
    page_size: int = PAGE_SIZE,
    cap: int = COUNT_CAP,
    *,
    longest: int | _Fetch | None = FETCH,
) -> Page:
    """One page in display order, after/before ``cursor``, and the matching count.

    One SQL statement: the page's rows (keyset condition on (sort column, id), which the
    (facility, column, id) indexes range-scan, so every page costs the same) carry the
    capped count as an uncorrelated subquery. A second one only for an empty later page.
    Pass ``longest`` if known (the view reads it with the memberships) to save a query.
    The statement is SQL text from ``page_sql``, built from the same ``conditions`` and
    ``name_arms`` as ``filtered_assignments``.
    """
    longest = _longest(facility, longest)
    if cursor is not None and (cursor.sort, cursor.direction) != (filters.sort, filters.direction):
        cursor = None
    backwards = cursor is not None and cursor.position == "before"
    descending = filters.direction == "desc"
    column = SORT_COLUMNS[filters.sort]
    keyset = None
    if cursor is not None:
        keyset = ("<" if descending != backwards else ">", cursor.value, cursor.id)
    count_column = _count_column(filters)
    tokens = filters.name_tokens
    sql, params = page_sql.page_statement(
        connection,
        facility.pk,
        _PAGE_FIELDS,
        page_conditions=conditions(filters, longest=longest, page=True),
        count_conditions=conditions(filters, longest=longest),
        arms=name_arms(tokens, _drivers(tokens)) if tokens else [],
        order=page_sql.Order(column, descending != backwards, _narrow_other_range(filters)),
        count_order=page_sql.Order(count_column, descending=True) if count_column else None,
        keyset=keyset,
        limit=page_size + 1,
        cap=cap,
    )
    with connection.cursor() as db:
        db.execute(sql, params)
        found = db.fetchall()
    more = len(found) > page_size
    found = found[:page_size]
    if backwards:
        found.reverse()
    rows = [TableRow(*values[:-1]) for values in found]
    if found:
        total = found[0][-1]
    elif cursor is None:
        total = 0
    else:
        total = capped_count(facility, filters, cap, longest=longest)
    if backwards:
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, cursor is not None
    return Page(
        rows=rows,
        total=min(total, cap),
        total_capped=total > cap,
        next_cursor=_cursor_for(rows[-1], filters, "after") if rows and has_next else None,
        previous_cursor=(
            _cursor_for(rows[0], filters, "before") if rows and has_previous else None
        ),
        is_first=not has_previous,
    )
