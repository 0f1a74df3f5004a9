"""Reading the activity log: what a facility's primary contacts and a partner's staff may see.

A facility's log is every record at the facility, plus the sign-in events (requests for a
link, sign-ins, failures, sign-outs) of people who were members of the facility at the time:
sign-ins concern no facility, but who got into the hub with access to it is what a primary
contact needs to know. A partner's log is every record of its own (its facilities, its keys)
plus the sign-in events of people who were members of its facilities at the time or are its
staff. Pages are keyset pages over ``(at, id)``, newest first.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_datetime

from compliance_hub.activity.filters import ActivityFilters
from compliance_hub.activity.kinds import PARTNER_ONLY_VERBS, SESSION_VERBS
from compliance_hub.activity.models import Activity
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


@dataclass(frozen=True)
class Cursor:
    at: datetime
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def of(cls, activity: Activity) -> Cursor:
        return cls(activity.at, activity.pk)


class BadCursor(ValueError):
    """A page link that was damaged or not made by the hub."""


def decode_cursor(text: str) -> Cursor:
    try:
        padded = text + "=" * (-len(text) % 4)
        at_text, pk = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        at = parse_datetime(at_text) if isinstance(at_text, str) else None
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise BadCursor(text) from None
    if at is None or at.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool):
        raise BadCursor(text)
    if not 0 < pk < 2**63:
        raise BadCursor(text)
    return Cursor(at, pk)


@dataclass(frozen=True)
class Page:
    rows: list[Activity]
    newer: str  # cursor for the page of newer records ("" if this is the newest)
    older: str  # cursor for the page of older records ("" if there are none)


def page(
    qs: QuerySet[Activity],
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of ``qs`` (ordered newest first): older than ``after``, or newer than ``before``."""
    if before is not None:
        newer_first = qs.filter(Q(at__gt=before.at) | Q(at=before.at, id__gt=before.id))
        found = list(newer_first.order_by("at", "id")[: size + 1])
        more_newer = len(found) > size
        rows = list(reversed(found[:size]))
        return Page(
            rows=rows,
            newer=Cursor.of(rows[0]).encode() if rows and more_newer else "",
            older=Cursor.of(rows[-1]).encode() if rows else "",
        )
    if after is not None:
        qs = qs.filter(Q(at__lt=after.at) | Q(at=after.at, id__lt=after.id))
    found = list(qs[: size + 1])
    rows = found[:size]
    return Page(
        rows=rows,
        newer=Cursor.of(rows[0]).encode() if rows and after is not None else "",
        older=Cursor.of(rows[-1]).encode() if len(found) > size else "",
    )
