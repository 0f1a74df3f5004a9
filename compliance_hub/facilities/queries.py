"""Reading facilities through a person's memberships: the only way the portal finds them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from compliance_hub.facilities.models import Facility, Membership


def active_memberships(person_id: int) -> QuerySet[Membership]:
    """The active memberships of the person with id ``person_id`` (see ``memberships_of``)."""
    return Membership.objects.filter(person_id=person_id, revoked_at__isnull=True)


def memberships_of(person: Any) -> QuerySet[Membership]:
    """The person's active memberships, with their facilities."""
    if not getattr(person, "is_authenticated", False):
        return Membership.objects.none()
    return active_memberships(person.pk).select_related("facility", "facility__partner")


def facilities_of(person: Any) -> QuerySet[Facility]:
    """Facilities the person may see, by name."""
    if not getattr(person, "is_authenticated", False):
        return Facility.objects.none()
    return (
        Facility.objects.filter(memberships__person=person, memberships__revoked_at__isnull=True)
        .select_related("partner")
        .order_by("name", "id")
    )


def membership_for(person: Any, facility_id: Any) -> Membership:
    """The person's active membership of ``facility_id``, or 404 (never 403: no hints)."""
    try:
        pk = int(facility_id)
    except (TypeError, ValueError):
        raise Http404("No such facility") from None
    membership = memberships_of(person).filter(facility_id=pk).first()
    if membership is None:
        raise Http404("No such facility")
    return membership


def facility_for(person: Any, facility_id: Any) -> Facility:
    """The facility ``facility_id`` if the person has access to it, else 404."""
    return membership_for(person, facility_id).facility
