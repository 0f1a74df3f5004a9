"""Reading the activity log: what a facility's primary contacts and a partner's staff may see.

A facility's log is every record at the facility, plus the sign-in events (requests for a
link, sign-ins, failures, sign-outs) of people who were members of the facility at the time:
sign-ins concern no facility, but who got into the hub with access to it is what a primary
contact needs to know. A membership begins only when its person accepts the invitation, so
nobody's sign-ins show at a facility they did not accept. A partner's log is every record of
its own (its facilities, its keys) plus the sign-in events of people who were members of its
facilities at the time or are its staff. Pages are keyset pages over ``(at, id)``, newest first
(``core.pagination``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from compliance_hub.activity.filters import ActivityFilters
from compliance_hub.activity.kinds import PARTNER_ONLY_VERBS, SESSION_VERBS
from compliance_hub.activity.models import Activity
from compliance_hub.core.pagination import InvalidCursor, Keyset
from compliance_hub.facilities.models import Facility, Membership, PartnerStaff

PAGE_SIZE = 50


def _member_then(facilities: Q) -> Exists:
    """The record's actor held a membership of one of ``facilities`` when it happened."""
    return Exists(
        Membership.objects.filter(facilities, person=OuterRef("actor_id"))
        .filter(created_at__lte=OuterRef("at"))
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=OuterRef("at")))
    )


def _sessions(who: Exists) -> Q:
    return Q(facility__isnull=True, verb__in=SESSION_VERBS, actor__isnull=False) & Q(who)


def for_facility(facility: Facility) -> QuerySet[Activity]:
    """A facility's log (see the module docstring), newest first."""
    return (
        Activity.objects.filter(
            (Q(facility_id=facility.pk) & ~Q(verb__in=PARTNER_ONLY_VERBS))
            | _sessions(_member_then(Q(facility_id=facility.pk)))
        )
        .select_related("facility")
        .order_by("-at", "-id")
    )


def for_partners(partner_ids: Iterable[int]) -> QuerySet[Activity]:
    """The log of the partners ``partner_ids`` (see the module docstring), newest first."""
    ids = list(partner_ids)
    staff = Exists(PartnerStaff.objects.filter(partner_id__in=ids, person=OuterRef("actor_id")))
    return (
        Activity.objects.filter(
            Q(partner_id__in=ids)  # records at a facility carry its partner too
            | _sessions(_member_then(Q(facility__partner_id__in=ids)))
            | _sessions(staff)
        )
        .select_related("facility")
        .order_by("-at", "-id")
    )


def filtered(qs: QuerySet[Activity], filters: ActivityFilters) -> QuerySet[Activity]:
    """``qs`` narrowed by the valid filters (the facility filter is the caller's job)."""
    if filters.verb:
        qs = qs.filter(verb=filters.verb)
    if filters.person:
        qs = qs.filter(
            Q(actor_label__icontains=filters.person) | Q(target__icontains=filters.person)
        )
    start, end = filters.window()
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    return qs


# --- keyset pages ------------------------------------------------------------------------

NEWEST_FIRST = Keyset("at", fields=("at", "id"), kinds=(datetime, int), descending=True)
BadCursor = InvalidCursor  # a page link that was damaged or not made by the hub


def decode_cursor(text: str) -> tuple[datetime, int]:
    """The record a page link continues from; ``BadCursor`` for anything else."""
    at, pk = NEWEST_FIRST.parse(text)
    return at, pk


@dataclass(frozen=True)
class Page:
    rows: list[Activity]
    newer: str  # cursor for the page of newer records ("" if this is the newest)
    older: str  # cursor for the page of older records ("" if there are none)


def page(
    qs: QuerySet[Activity],
    *,
    after: tuple[datetime, int] | None = None,
    before: tuple[datetime, int] | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of ``qs`` newest first: older than ``after``, or newer than ``before``."""
    backwards = before is not None
    position = before or after
    if position is not None:
        qs = qs.filter(NEWEST_FIRST.beyond(position, backwards=backwards))
    found = list(qs.order_by(*NEWEST_FIRST.order_by(backwards=backwards))[: size + 1])
    more = len(found) > size
    rows = found[:size]
    if backwards:
        rows.reverse()

    def cursor(record: Activity) -> str:
        return NEWEST_FIRST.cursor((record.at, record.pk))

    has_newer, has_older = (more, True) if backwards else (after is not None, more)
    return Page(
        rows=rows,
        newer=cursor(rows[0]) if rows and has_newer else "",
        older=cursor(rows[-1]) if rows and has_older else "",
    )
