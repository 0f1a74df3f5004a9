"""Small SQL building blocks the certificate table needs and the ORM does not offer.

- ``RowCompare``: ``(a, b) < (x, y)``, the keyset condition btree indexes range-scan.
- ``CappedCount``: ``SELECT COUNT(*) FROM (... LIMIT cap)``, a count that stops early.
- ``DurationDays``: whole days from ``effective_date`` to ``end_date`` (for an index that
  finds a facility's longest assignment in one probe).
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, F, Func, IntegerField, QuerySet, Subquery


class RowCompare(Func):
    """``(lhs...) OP (rhs...)`` for ``OP`` in ``<``, ``>``: a row-value comparison.

    PostgreSQL and SQLite both compare row values lexicographically, and PostgreSQL uses
    the comparison as an index range condition on a matching multi-column index.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, lhs: tuple[Any, ...], op: str, rhs: tuple[Any, ...]) -> None:
        if op not in ("<", ">") or len(lhs) != len(rhs) or not lhs:
            raise ValueError("RowCompare needs two rows of the same width and '<' or '>'.")
        self.op = op
        self.width = len(lhs)
        super().__init__(*lhs, *rhs)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        left = ", ".join(parts[: self.width])
        right = ", ".join(parts[self.width :])
        return f"({left}) {self.op} ({right})", params


class CappedCount(Subquery):
    """How many rows ``queryset`` has, counting no further than its slice's end.

    Pass a sliced ``values("pk")`` queryset: ``CappedCount(qs.values("pk")[: cap + 1])``.
    Uncorrelated, so PostgreSQL runs it once per statement (an InitPlan), as does SQLite.
    """

    template = '(SELECT COUNT(*) FROM (%(subquery)s) AS "capped")'

    def __init__(self, queryset: QuerySet[Any], **extra: Any) -> None:
        super().__init__(queryset, output_field=IntegerField(), **extra)


class DurationDays(Func):
    """Whole days from ``effective_date`` to ``end_date`` (0 for a one-day assignment).

    An index declared on ``(facility, DurationDays())`` finds a facility's longest
    assignment (``ORDER BY DurationDays() DESC LIMIT 1``) in one index probe.
    """

    output_field = IntegerField()

    def __init__(self) -> None:
        super().__init__(F("end_date"), F("effective_date"))

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return (
            f"CAST(julianday({end[0]}) - julianday({start[0]}) AS INTEGER)",
            [*end[1], *start[1]],
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({end[0]} - {start[0]})", [*end[1], *start[1]]
