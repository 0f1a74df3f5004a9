"""``CappedCount``: how many rows a sliced queryset has, as a scalar subquery."""

from __future__ import annotations

from typing import Any

from django.db.models import Func, IntegerField, QuerySet, Subquery


class CappedCount(Func):
    """``(SELECT COUNT(*) FROM (<queryset>) AS capped)``; slice the queryset to cap the count.

    Not correlated with the outer query, so it runs once, in the page's own statement.
    """

    template = "(SELECT COUNT(*) FROM %(expressions)s AS capped)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(Subquery(queryset))
