"""Reading a facility's assignments: the certificate table, its count, the exports, the audits.

``matching(facility, filters)`` is the one definition of which assignments the table's
filters select; the table's page and count (``table_page``), the exports
(``filtered_assignments``) and the audits all compile from it. Also here:
``parse_filters(querydict) -> (TableFilters, form)`` (certificates.filters) and
``parse_cursor``. Callers must already have checked access to ``facility``
(facilities.queries).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from compliance_hub.certificates.expressions import CappedCount
from compliance_hub.certificates.filters import (
    DEFAULT_DIRECTION,
    PRESETS,
    SORT_COLUMNS,
    TableFilters,
    parse_filters,
    preset_range,
)
from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.core.pagination import InvalidCursor, Keyset
from compliance_hub.facilities.models import Facility

__all__ = [
    "COUNT_CAP",
    "DEFAULT_DIRECTION",
    "PAGE_SIZE",
    "PRESETS",
    "SORT_COLUMNS",
    "Cursor",
    "Page",
    "Position",
    "Recent",
    "TableFilters",
    "TableRow",
    "capped_count",
    "filtered_assignments",
    "keyset",
    "matching",
    "parse_cursor",
    "parse_filters",
    "position",
    "preset_range",
    "recent",
    "table_page",
    "widen_longest_assignment",
]

PAGE_SIZE = 50
# The count on the page is exact up to this many rows; beyond it the page says "more than
# 10,000" until the exact figure (``position``) loads.
COUNT_CAP = 10_000
# Above every character a folded name can hold: the end of a prefix range.
_PREFIX_END = "\U0010ffff"
_STATUS = {"current": Assignment.Status.ACTIVE, "void": Assignment.Status.CANCELLED}


def _name_arms(tokens: tuple[str, ...]) -> list[Q]:
    """Names with a word starting with each of ``tokens``, in any order: any of these "arms".

    One of the words (of two or more letters, else the longest) must start the first name
    (``search_name``, "first last") or the last name (``sort_name``, "last first"): each arm
    is a range of a (facility, name, id) index, whose entries have a word starting with
    each other word.
    """
    drivers = [t for t in tokens if len(t) >= 2] or [max(tokens, key=len)]
    arms = []
    for token in drivers:
        for column in ("search_name", "sort_name"):
            arm = Q(**{f"{column}__gte": token, f"{column}__lt": token + _PREFIX_END})
            for other in tokens:
                if other != token:
                    arm &= Q(**{f"{column}__startswith": other}) | Q(
                        **{f"{column}__contains": f" {other}"}
                    )
            arms.append(arm)
    return arms


def _conditions(facility: Facility, filters: TableFilters) -> list[Q]:
    """What ``filters`` select at ``facility`` (see ``matching``)."""
    f = filters
    bounds = [
        ("effective_date__gte", f.effective_from),
        ("effective_date__lte", f.effective_to),
        ("end_date__gte", f.end_from),
        ("end_date__lte", f.end_to),
        # Active during [from, to]: the assignment overlaps the period.
        ("effective_date__lte", f.active_to),
        ("end_date__gte", f.active_from),
    ]
    conditions = [Q(**{lookup: value}) for lookup, value in bounds if value is not None]
    conditions.append(Q(facility_id=facility.pk))
    if f.status:
        conditions.append(Q(status=_STATUS[f.status]))
    if f.name_tokens:
        conditions.append(_name_rows(facility, _name_arms(f.name_tokens)))
    return conditions


def matching(facility: Facility, filters: TableFilters) -> QuerySet[Assignment]:
    """The assignments of ``facility`` that ``filters`` select, unordered. Dates inclusive."""
    return Assignment.objects.filter(*_conditions(facility, filters))


def keyset(filters: TableFilters) -> Keyset:
    """The table's order: the sort column, then id."""
    return Keyset(
        name=f"{filters.sort}-{filters.direction}",
        fields=(SORT_COLUMNS[filters.sort], "id"),
        kinds=(str if filters.sort == "name" else date, int),
        descending=filters.direction == "desc",
    )


def filtered_assignments(facility: Facility, filters: TableFilters) -> QuerySet[Assignment]:
    """Every assignment of ``facility`` matching ``filters``, in display order.

    With the current certificate joined (``select_related``). For exports; iterate with
    ``.iterator(chunk_size=...)`` for large sets.
    """
    order = keyset(filters).order_by()
    return matching(facility, filters).select_related("current_certificate").order_by(*order)


def widen_longest_assignment(assignments: Iterable[Assignment]) -> None:
    """Raise each facility's ``longest_assignment_days`` to cover ``assignments``.

    Call it in the transaction that writes them: the table's scans rely on no assignment
    lasting longer. One conditional UPDATE per facility, which writes only when it grows.
    """
    longest: dict[int, int] = {}
    for a in assignments:
        days = (a.end_date - a.effective_date).days
        longest[a.facility_id] = max(days, longest.get(a.facility_id, 0))
    for facility_id, days in longest.items():
        Facility.objects.filter(pk=facility_id, longest_assignment_days__lt=days).update(
            longest_assignment_days=days
        )


# --- Planner shapes ------------------------------------------------------------------
# How the table's queries are put to PostgreSQL where the plain form was measured to read
# far more than it needs. None changes a result; each is tested for the plan it buys
# (tests/portal/test_plans.py).


def _shift(day: date | None, days: int) -> date | None:
    """``day`` moved by ``days``, kept within the calendar."""
    if day is None:
        return None
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _planner_bounds(facility: Facility, f: TableFilters, order: str = "") -> list[Q]:
    """Conditions the filters imply that turn a filter on one date column into a range of
    the other's index: an assignment ends on or after it starts, and at most
    ``facility.longest_assignment_days`` later (so ``facility`` must be as loaded for this
    request). ``order``: the date column rows are read in, if any."""
    longest = facility.longest_assignment_days
    # "Active during" read as a range of the effective-date index (the count, and pages).
    bounds = [("effective_date__gte", _shift(f.active_from, -longest))]
    # Rows in ``order``: its index is read from near the first match to near the last.
    if order == "effective_date":
        bounds += [
            ("effective_date__lte", f.end_to),
            ("effective_date__gte", _shift(f.end_from, -longest)),
        ]
    elif order == "end_date":
        bounds += [
            ("end_date__gte", f.effective_from),
            ("end_date__lte", _shift(f.effective_to, longest)),
            ("end_date__lte", _shift(f.active_to, longest)),
        ]
    return [Q(**{lookup: value}) for lookup, value in bounds if value is not None]


def _arm_ids(
    facility: Facility,
    arms: list[Q],
    *conditions: Q,
    distinct: bool = False,
    columns: tuple[str, ...] = ("id",),
) -> QuerySet[Any]:
    """The ``columns`` of the rows in each arm's index range that meet ``conditions``, one
    SELECT per arm joined by ``UNION ALL``: index-only scans (each name index includes the
    other name, both dates and the status). ``distinct``: each row once, as each arm leaves
    out the rows of the arms before it, so that the rows still stream and a LIMIT stops the
    reading (a ``UNION`` would read every match before returning one)."""
    parts = [
        Assignment.objects.filter(
            arm,
            *[~earlier for earlier in arms[:n] if distinct],
            *conditions,
            facility_id=facility.pk,
        )
        .order_by()
        .values(*columns)
        for n, arm in enumerate(arms)
    ]
    return parts[0].union(*parts[1:], all=True)


def _name_rows(facility: Facility, arms: list[Q]) -> Q:
    """The name condition on the rows. One word in the index ranges: the arms ORed, so that
    a date index can be walked until the page is full. Several ("michael velkaka"): the ids
    each arm's range holds after checking the other words, so only those rows are read."""
    if len(arms) == 2:  # one word: its first-name and last-name ranges
        return arms[0] | arms[1]
    return Q(id__in=_arm_ids(facility, arms))


def _capped(
    facility: Facility, filters: TableFilters, cap: int, *, rare_name: bool = False
) -> QuerySet[Any]:
    """The rows to count, at most ``cap + 1``; facility_id is in every index, so the count
    is an index-only scan. A name alone is counted from its name index ranges, reading at
    most ``cap + 1`` entries however common the name; so is a ``rare_name`` (see
    ``_name_count``) with other filters, which the name indexes hold too."""
    if filters.name_tokens and (rare_name or not replace(filters, name="").is_filtered):
        return _by_name(facility, filters)[: cap + 1]
    conditions = [*_conditions(facility, filters), *_planner_bounds(facility, filters)]
    return Assignment.objects.filter(*conditions).order_by().values("facility_id")[: cap + 1]


# A name with at most this many rows at the facility is "rare": its page is cut from the
# name indexes alone, reading all its entries there (index entries only, no table rows). A
# commoner name is dense enough among the facility's rows for the order's index to be
# walked until the page is full (the planner's choice, as for any other filter).
RARE_NAME = COUNT_CAP


def _by_name(
    facility: Facility, filters: TableFilters, *conditions: Q, columns: tuple[str, ...] = ("id",)
) -> QuerySet[Any]:
    """The rows ``filters`` select that also meet ``conditions``, each once, read from the
    name indexes alone (``filters`` has a name): the arms, with every other filter applied
    in their index entries."""
    rest = _conditions(facility, replace(filters, name=""))
    arms = _name_arms(filters.name_tokens)
    return _arm_ids(facility, arms, *rest, *conditions, distinct=True, columns=columns)


def _name_count(facility: Facility, filters: TableFilters, cap: int) -> int:
    """How many rows of ``facility`` have the name searched for (the name alone), counting
    at most ``max(cap, RARE_NAME) + 1`` (one query, reading at most that many index
    entries)."""
    name_alone = TableFilters(name=filters.name)
    return _by_name(facility, name_alone)[: max(cap, RARE_NAME) + 1].count()


def _page_ids(
    facility: Facility,
    filters: TableFilters,
    cursor: Cursor | None,
    size: int,
    *,
    rare_name: bool = False,
) -> QuerySet[Any] | list[int]:
    """The ids of a page's rows, found in the order's index alone where the filters allow
    (the covering date indexes hold both dates and the status), or for a ``rare_name`` in
    the name indexes alone: only those rows are read."""
    order = keyset(filters)
    backwards = cursor is not None and cursor.before
    beyond = [] if cursor is None else [order.beyond(cursor.values, backwards=backwards)]
    if rare_name:
        found = _by_name(facility, filters, *beyond, columns=("id", order.fields[0]))
        return [row["id"] for row in found.order_by(*order.order_by(backwards=backwards))[:size]]
    conditions = [
        *_conditions(facility, filters),
        *_planner_bounds(facility, filters, order.fields[0]),
        *beyond,
    ]
    rows = Assignment.objects.filter(*conditions).order_by(*order.order_by(backwards=backwards))
    return rows.values("id")[:size]


def capped_count(facility: Facility, filters: TableFilters, cap: int = COUNT_CAP) -> int:
    """How many rows match, counting at most ``cap + 1`` (one query)."""
    return _capped(facility, filters, cap).count()


# --- Pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in the table's order: the rows after (``before``: before) ``values``."""

    values: tuple[Any, ...]
    before: bool = False


def parse_cursor(querydict: QueryDict, filters: TableFilters) -> tuple[Cursor | None, bool]:
    """The page position in the URL (``after=`` or ``before=``), and whether one was refused
    (damaged, or made for another sort order)."""
    for position in ("after", "before"):
        token = querydict.get(position)
        if token:
            try:
                values = keyset(filters).parse(token)
            except InvalidCursor:
                return None, True
            return Cursor(values, before=position == "before"), False
    return None, False


@dataclass(slots=True)
class TableRow:
    """One row of a table page: the assignment's columns the page shows, and the number of
    its current certificate."""

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

    @property
    def is_void(self) -> bool:
        """Cancelled: its certificate is void."""
        return self.status == Assignment.Status.CANCELLED


@dataclass
class Page:
    """One page of the table, with the count of all matching rows (capped)."""

    rows: list[TableRow]
    total: int
    total_capped: bool  # True: there are more than ``total`` matching rows
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


# The assignment's columns of a TableRow, then its current certificate's number.
_ROW_FIELDS = (*(f.name for f in fields(TableRow)[:-1]), "current_certificate__number")


def table_page(
    facility: Facility,
    filters: TableFilters,
    cursor: Cursor | None = None,
    page_size: int = PAGE_SIZE,
    cap: int = COUNT_CAP,
) -> Page:
    """One page in display order, after/before ``cursor``, and the matching count.

    ``facility`` as loaded for this request (see ``_planner_bounds``). One statement: the
    page's rows (the keyset condition on (sort column, id) is a range of the (facility,
    column, id) index, so every page costs the same) with their current certificate's
    number, and the capped count (an uncorrelated subquery, run once). A second one only
    for an empty later page. A name search first counts the name's rows (``_name_count``),
    which decides where the page is read from and, for a name alone, is the count.
    """
    order = keyset(filters)
    backwards = cursor is not None and cursor.before
    rare_name: bool = False
    count: Any = None  # the count column: the name's own count, or the capped count
    if filters.name_tokens:
        name_count = _name_count(facility, filters, cap)
        rare_name = name_count <= RARE_NAME
        if not replace(filters, name="").is_filtered:  # a name alone: that is the count
            count = Value(name_count)
    if count is None:
        count = CappedCount(_capped(facility, filters, cap, rare_name=rare_name))
    ids = _page_ids(facility, filters, cursor, page_size + 1, rare_name=rare_name)
    found = list(
        Assignment.objects.filter(id__in=ids)
        .order_by(*order.order_by(backwards=backwards))
        .values_list(*_ROW_FIELDS, count)
    )
    more = len(found) > page_size
    found = found[:page_size]
    if backwards:
        found.reverse()
    rows = [TableRow(*values[:-1]) for values in found]
    total = found[0][-1] if found else 0
    if not found and cursor is not None:  # a later page came back empty: count anyway
        total = capped_count(facility, filters, cap)
    has_next, has_previous = (True, more) if backwards else (more, cursor is not None)

    def token(row: TableRow) -> str:
        return order.cursor((getattr(row, order.fields[0]), row.id))

    return Page(
        rows=rows,
        total=min(total, cap),
        total_capped=total > cap,
        next_cursor=token(rows[-1]) if rows and has_next else None,
        previous_cursor=token(rows[0]) if rows and has_previous else None,
        is_first=not has_previous,
    )


@dataclass(frozen=True)
class Position:
    """Where a page lies among every matching row: rows ``first`` to ``last`` (counted from 1;
    both 0 for an empty page) of ``total``."""

    total: int
    first: int
    last: int


def position(
    facility: Facility, filters: TableFilters, cursor: Cursor | None, page_size: int = PAGE_SIZE
) -> Position:
    """The exact count of ``matching`` rows (no cap) and the place of the page after/before
    ``cursor`` among them, as ``table_page`` cuts it. One query. For the table's count, which
    loads after its rows."""
    rows = matching(facility, filters).order_by()
    if cursor is None:
        total = rows.count()
        return Position(total, 1 if total else 0, min(total, page_size))
    beyond = keyset(filters).beyond(cursor.values, backwards=cursor.before)
    counts = rows.aggregate(total=Count("id"), beyond=Count("id", filter=beyond))
    total, beyond_count = counts["total"], counts["beyond"]
    if cursor.before:  # the page is the (at most) page_size rows just before the cursor's row
        last = beyond_count
        first = max(1, last - page_size + 1) if last else 0
    else:  # the page starts after every row up to and including the cursor's
        first = total - beyond_count + 1
        if first > total:
            return Position(total, 0, 0)
        last = min(total, first + page_size - 1)
    return Position(total, first, last)


# "Lately" on a facility's overview: certificates voided or superseded within this many days.
RECENT_DAYS = 30
RECENT_CHANGES = 5


@dataclass(frozen=True)
class Recent:
    """What is new at a facility: this month's assignments and certificates, and the
    certificates voided or superseded lately (at most ``RECENT_CHANGES``, newest first)."""

    month: TableFilters  # "active during" this calendar month: the table's filters for it
    active_this_month: int  # assignments active during the month, counted up to COUNT_CAP + 1
    issued_this_month: int  # certificates issued since the month began (new and replacements)
    changes: list[Certificate]  # with their assignment
    more_changes: bool


def recent(facility: Facility, today: date) -> Recent:
    """What changed at ``facility`` this month and lately. Three queries."""
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    month = TableFilters(active_from=first, active_to=following - timedelta(days=1))
    start = datetime.combine(first, time.min, tzinfo=timezone.get_current_timezone())
    since = datetime.combine(
        today - timedelta(days=RECENT_DAYS), time.min, tzinfo=timezone.get_current_timezone()
    )
    certificates = Certificate.objects.filter(assignment__facility_id=facility.pk)
    changed = list(
        certificates.filter(Q(voided_at__gte=since) | Q(superseded_at__gte=since))
        .select_related("assignment")
        .defer("snapshot")
        .order_by(Coalesce("voided_at", "superseded_at").desc(), "-id")[: RECENT_CHANGES + 1]
    )
    return Recent(
        month=month,
        active_this_month=capped_count(facility, month),
        issued_this_month=certificates.filter(issued_at__gte=start).count(),
        changes=changed[:RECENT_CHANGES],
        more_changes=len(changed) > RECENT_CHANGES,
    )
