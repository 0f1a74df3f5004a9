"""Reading a partner's own objects: every lookup is scoped to the partner (else 404)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from compliance_hub.certificates.models import Assignment, Certificate, Contractor
from compliance_hub.facilities.models import Facility, Partner

M = TypeVar("M", bound=Model)


def facility(partner: Partner, external_id: str) -> Facility:
    found = Facility.objects.filter(partner=partner, external_id=external_id).first()
    if found is None:
        raise Http404(f"You have no facility with external id {external_id!r}.")
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


def _encode(updated_at: datetime, pk: int) -> str:
    raw = json.dumps([updated_at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk = json.loads(raw.decode())
        updated_at = parse_datetime(stamp)
        if updated_at is None or updated_at.tzinfo is None or not isinstance(pk, int):
            raise ValueError
        updated_at = updated_at.astimezone(UTC)
        if not 0 <= pk < 2**63:
            raise ValueError
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(
            {"cursor": "This cursor is not valid; use the next_cursor of the previous page."}
        ) from None
    return updated_at, pk


def paginate(
    qs: QuerySet[M], *, cursor: str | None, limit: int, updated_since: datetime | None = None
) -> Page:
    """Oldest change first, by ``(updated_at, id)``; ``next_cursor`` continues after the last.

    ``updated_since`` keeps only what changed at or after that moment.
    """
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    qs = qs.order_by("updated_at", "pk")
    if cursor:
        updated_at, pk = _decode(cursor)
        qs = qs.filter(Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, pk__gt=pk))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = _encode(last.updated_at, last.pk) if more and last is not None else None  # type: ignore[attr-defined]
    return Page(rows, next_cursor)


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
