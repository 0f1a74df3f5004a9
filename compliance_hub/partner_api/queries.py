"""Reading a partner's own objects: every lookup is scoped to the partner (else 404)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from compliance_hub.certificates.models import Assignment, Certificate, Contractor
from compliance_hub.core.pagination import InvalidCursor, Keyset
from compliance_hub.facilities.models import CoverageLine, Facility, Partner

M = TypeVar("M", bound=Model)


def facility(partner: Partner, external_id: str) -> Facility:
    found = Facility.objects.filter(partner=partner, external_id=external_id).first()
    if found is None:
        raise Http404(f"You have no facility with external id {external_id!r}.")
    return found


def coverage_lines(partner_ids: list[int]) -> QuerySet[CoverageLine]:
    """The coverage lines of these partners' insurance programs, in certificate order."""
    return (
        CoverageLine.objects.filter(partner_id__in=partner_ids)
        .select_related("insurer", "partner")
        .order_by("partner__name", "partner_id", "position", "id")
    )


def coverage_line(partner_ids: list[int], line_id: int) -> CoverageLine:
    found = coverage_lines(partner_ids).filter(pk=line_id).first()
    if found is None:
        raise Http404(f"Your insurance program has no coverage line {line_id}.")
    return found


def contractor(partner: Partner, external_id: str) -> Contractor:
    found = Contractor.objects.filter(partner=partner, external_id=external_id).first()
    if found is None:
        raise Http404(f"You have no contractor with external id {external_id!r}.")
    return found


def assignment(partner: Partner, external_id: str) -> Assignment:
    found = (
        Assignment.objects.select_related("facility", "contractor", "current_certificate")
        .filter(partner=partner, external_id=external_id)
        .first()
    )
    if found is None:
        raise Http404(f"You have no assignment with external id {external_id!r}.")
    return found


def certificate(partner: Partner, number: str) -> Certificate:
    found = Certificate.objects.filter(number=number.upper(), assignment__partner=partner).first()
    if found is None:
        raise Http404(f"You have no certificate numbered {number!r}.")
    return found


def facilities_with_counts(partner_ids: list[int]) -> QuerySet[Facility]:
    """Facilities of these partners with member and pending invitation counts, by name."""
    return (
        Facility.objects.filter(partner_id__in=partner_ids)
        .select_related("partner")
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__revoked_at__isnull=True), distinct=True
            ),
            pending_count=Count(
                "invitations",
                filter=Q(
                    invitations__accepted_at__isnull=True,
                    invitations__revoked_at__isnull=True,
                    invitations__expires_at__gt=timezone.now(),
                ),
                distinct=True,
            ),
        )
        .order_by("name", "id")
    )


# --- cursor pagination ------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None

    def body(self, serialize: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        """The list response: each item serialized, and the cursor of the next page."""
        return {"items": [serialize(item) for item in self.items], "next_cursor": self.next_cursor}


OLDEST_CHANGE_FIRST = Keyset(
    "updated", fields=("updated_at", "id"), kinds=(datetime, int), descending=False
)


def paginate(
    qs: QuerySet[M], *, cursor: str | None, limit: int, updated_since: datetime | None = None
) -> Page:
    """Oldest change first, by ``(updated_at, id)``; ``next_cursor`` continues after the last.

    ``updated_since`` keeps only what changed at or after that moment.
    """
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    if cursor:
        try:
            qs = qs.filter(OLDEST_CHANGE_FIRST.beyond(OLDEST_CHANGE_FIRST.parse(cursor)))
        except InvalidCursor:
            raise ValidationError(
                {"cursor": "This cursor is not valid; use the next_cursor of the previous page."}
            ) from None
    rows = list(qs.order_by(*OLDEST_CHANGE_FIRST.order_by())[: limit + 1])
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = OLDEST_CHANGE_FIRST.cursor((last.updated_at, last.pk)) if last else None  # type: ignore[attr-defined]
    return Page(rows[:limit], next_cursor)


def assignment_filters(
    qs: QuerySet[Assignment],
    *,
    partner: Partner,
    facility_id: str | None = None,
    status: str | None = None,
    effective_from: date | None = None,
    effective_to: date | None = None,
    end_from: date | None = None,
    end_to: date | None = None,
    active_from: date | None = None,
    active_to: date | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Assignment]:
    """Apply the list filters. ``active_*`` keeps assignments overlapping that period."""
    if facility_id is not None:
        found = Facility.objects.filter(partner=partner, external_id=facility_id).first()
        if found is None:
            raise ValidationError({"facility": f"No facility with external id {facility_id!r}."})
        qs = qs.filter(facility=found)
    if status is not None:
        qs = qs.filter(status=status)
    lookups = {
        "effective_date__gte": effective_from,
        "effective_date__lte": effective_to,
        "end_date__gte": end_from,
        "end_date__lte": end_to,
        "end_date__gte_active": active_from,
        "effective_date__lte_active": active_to,
        "updated_at__gte": updated_since,
    }
    for lookup, value in lookups.items():
        if value is not None:
            qs = qs.filter(**{lookup.removesuffix("_active"): value})
    return qs
