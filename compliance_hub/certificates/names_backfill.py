"""Assignments without a search name get their contractor's: a worker job.

``Assignment.search_name`` (first-name search) is written with every assignment, but rows
inserted by a previous version of the hub during an upgrade get the column's default, an
empty name (migration 0006 fills the rows that existed when it ran). The partial index
``asg_unnamed_idx`` lists such rows, so a round with nothing to do costs one index probe.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from compliance_hub.certificates.models import Assignment, Contractor


def backfill_search_names(limit: int = 500) -> int:
    """Copy the contractor's search name onto up to ``limit`` unnamed assignments.

    Returns how many changed. A contractor whose name folds to nothing (punctuation only)
    is skipped, so such rows never make the worker think there is work left.
    """
    ids = list(
        Assignment.objects.filter(search_name="")
        .exclude(contractor__search_name="")
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    name = Contractor.objects.filter(pk=OuterRef("contractor_id")).values("search_name")[:1]
    return Assignment.objects.filter(pk__in=ids, search_name="").update(search_name=Subquery(name))
