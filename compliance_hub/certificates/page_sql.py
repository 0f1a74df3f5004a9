"""The certificate table's page statement, assembled as SQL text.

The table is the hub's busiest page. Building and compiling its statement with the ORM took
more CPU than PostgreSQL takes to run it (~1.7 ms of a ~10 ms request on the benchmark
machine); joining these strings takes a tenth of that. Only the statement's *shape* is written
here: which rows match is decided by ``queries.conditions`` and ``queries.name_arms``,
which the ORM queries (exports, audits, counts) use too, and the tests check that both give
the same rows in the same order.

``page_statement(...) -> (sql, params)`` selects, in display order, the page's rows as
``TableRow`` columns, then the current certificate's number, then the capped count.
"""

# Every value is a placeholder parameter; the text holds only the models' table names and
# this module's own column names and operators.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.backends.base.base import BaseDatabaseWrapper

from compliance_hub.certificates.models import Assignment, Certificate

if TYPE_CHECKING:
    from compliance_hub.certificates.queries import Condition, NameArm

_OPERATORS = {"gte": ">=", "lte": "<=", "exact": "=", "<": "<", ">": ">"}


@dataclass(frozen=True)
class Order:
    """``column`` then id, descending or not; ``unindexed`` sorts by ``COALESCE(col, col)``:
    the same order, which the planner cannot read from the column's index."""

    column: str
    descending: bool
    unindexed: bool = False


class _Builder:
    """SQL text and its parameters, in placeholder order."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.params: list[Any] = []
        self.table = connection.ops.quote_name(Assignment._meta.db_table)
        self.postgres = connection.vendor == "postgresql"

    def value(self, value: Any) -> str:
        if isinstance(value, date):
            value = self.connection.ops.adapt_datefield_value(value)
        self.params.append(value)
        return "%s"

    def like(self, column: str, pattern: str) -> str:
        """``column LIKE pattern`` as Django writes its startswith/contains lookups."""
        if self.postgres:
            return f"{column}::text LIKE {self.value(pattern)}"
        return f"{column} LIKE {self.value(pattern)} ESCAPE '\\'"

    def where(
        self, alias: str, facility_id: int, conditions: list[Condition], arms: list[NameArm]
    ) -> str:
        parts = [f"{alias}.facility_id = {self.value(facility_id)}"]
        for column, op, value in conditions:
            parts.append(f"{alias}.{column} {_OPERATORS[op]} {self.value(value)}")
        if arms:
            parts.append(self.name_condition(alias, facility_id, arms))
        return " AND ".join(parts)

    def arm(self, alias: str, arm: NameArm) -> str:
        column = f"{alias}.{arm.column}"
        prep = self.connection.ops.prep_for_like_query
        parts = [f"{column} >= {self.value(arm.token)}", f"{column} < {self.value(arm.range_end)}"]
        for other in arm.others:
            starts = self.like(column, f"{prep(other)}%")
            inside = self.like(column, f"%{prep(' ' + other)}%")
            parts.append(f"({starts} OR {inside})")
        return "(" + " AND ".join(parts) + ")"

    def name_condition(self, alias: str, facility_id: int, arms: list[NameArm]) -> str:
        """One driving word: the arms ORed on the rows. Several: ids from each arm's index
        range (``queries._name_filter`` explains why)."""
        drivers = {arm.token for arm in arms}
        if len(drivers) == 1:
            return "(" + " OR ".join(self.arm(alias, arm) for arm in arms) + ")"
        return f"{alias}.id IN ({self.arm_ids(facility_id, arms)})"

    def arm_ids(self, facility_id: int, arms: list[NameArm], *, disjoint: bool = False) -> str:
        """The ids in each arm's name index range, one SELECT per arm (UNION ALL).

        ``disjoint``: a row the earlier arms hold is left out of the later ones, so each
        id is listed once without a hash over all of them (a first name shared by 6,669
        rows: the count reads the first name index alone, ~1 ms, not 8 ms of heap reads).
        """
        selects = []
        for index, arm in enumerate(arms):
            select = (
                f"SELECT n.id FROM {self.table} n WHERE n.facility_id = {self.value(facility_id)}"
                f" AND {self.arm('n', arm)}"
            )
            if disjoint:
                select += "".join(f" AND NOT {self.arm('n', before)}" for before in arms[:index])
            selects.append(select)
        return " UNION ALL ".join(selects)


def _order_sql(alias: str, order: Order) -> str:
    direction = " DESC" if order.descending else " ASC"
    column = f"{alias}.{order.column}"
    key = f"COALESCE({column}, {column})" if order.unindexed else column
    return f"{key}{direction}, {alias}.id{direction}"


def page_statement(
    connection: BaseDatabaseWrapper,
    facility_id: int,
    columns: tuple[str, ...],
    *,
    page_conditions: list[Condition],
    count_conditions: list[Condition],
    arms: list[NameArm],
    order: Order,
    count_order: Order | None,
    keyset: tuple[str, Any, int] | None,
    limit: int,
    cap: int,
) -> tuple[str, list[Any]]:
    """The page's rows (``columns``, the certificate number, the count of up to ``cap + 1``
    matches), after ``keyset`` ("<" or ">", value, id) in ``order``.

    The certificate number is a per-row subquery rather than a join, so PostgreSQL
    evaluates it after the sort and limit, for the page's rows only; the count is an
    uncorrelated subquery, run once (an InitPlan) and read from index-only scans.
    """
    q = _Builder(connection)
    certificates = connection.ops.quote_name(Certificate._meta.db_table)
    number = (
        f"(SELECT cert.number FROM {certificates} cert"
        " WHERE cert.id = a.current_certificate_id LIMIT 1)"
    )
    if arms and not count_conditions:
        # A name search alone: counted from the name indexes (see ``arm_ids``), unordered.
        counted = q.arm_ids(facility_id, arms, disjoint=True)
    else:
        counted = f"SELECT c.facility_id FROM {q.table} c WHERE " + q.where(
            "c", facility_id, count_conditions, arms
        )
        if count_order is not None:
            counted += " ORDER BY " + _order_sql("c", count_order)
    count = f"(SELECT COUNT(*) FROM ({counted} LIMIT {int(cap) + 1}) capped)"
    where = q.where("a", facility_id, page_conditions, arms)
    if keyset is not None:
        op, value, pk = keyset
        where += f" AND (a.{order.column}, a.id) {_OPERATORS[op]} ({q.value(value)}, {q.value(pk)})"
    selected = ", ".join(f"a.{column}" for column in columns)
    sql = (
        f"SELECT {selected}, {number}, {count} FROM {q.table} a WHERE {where}"
        f" ORDER BY {_order_sql('a', order)} LIMIT {int(limit)}"
    )
    return sql, q.params
