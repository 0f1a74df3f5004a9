"""``DurationDays``: whole days from ``effective_date`` to ``end_date`` (for an index that
finds a facility's longest assignment in one probe). The table's page statement, with its
keyset condition and capped count, is SQL text of its own (``page_sql``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func, IntegerField


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
