"""Reading facilities through a person's memberships: the only way the portal finds them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Exists, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.facilities.models import Facility, Invitation, Membership


def memberships_of(person: Any) -> QuerySet[Membership]:
    """The person's active memberships, with their facilities."""
    if not getattr(person, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(person_id=person.pk, revoked_at__isnull=True).select_related(
        "facility", "facility__partner"
    )


def members_of(facility: Facility) -> QuerySet[Membership]:
    """The facility's people with access: primary contacts first, then by address."""
    return (
        Membership.objects.filter(facility=facility, revoked_at__isnull=True)
        .select_related("person", "invited_by", "invited_by_partner")
        .order_by("role", "person__email")  # "member" sorts after "primary"
    )


def current_member(facility: Facility, membership_id: int) -> Membership | None:
    """One of the facility's active memberships, with its person and facility."""
    return (
        Membership.objects.select_related("person", "facility")
        .filter(pk=membership_id, facility=facility, revoked_at__isnull=True)
        .first()
    )


def facilities_of(person: Any) -> QuerySet[Facility]:
    """Facilities the person may see, by name."""
    if not getattr(person, "is_authenticated", False):
        return Facility.objects.none()
    return (
        Facility.objects.filter(memberships__person=person, memberships__revoked_at__isnull=True)
        .select_related("partner")
        .order_by("name", "id")
    )


def open_invitations(email: str) -> QuerySet[Invitation]:
    """Invitations to ``email`` that can still be accepted (not accepted, revoked or expired)."""
    return Invitation.objects.filter(
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


@dataclass(frozen=True)
class Portal:
    """A person's view of one facility: their membership of it, and all their memberships."""

    person: Person
    membership: Membership
    memberships: Sequence[Membership]  # every active one, by facility name (the switcher)
    invited: bool  # open invitations are waiting for the person (the header says so)

    @property
    def facility(self) -> Facility:
        return self.membership.facility

    @property
    def facilities(self) -> list[Facility]:
        return [m.facility for m in self.memberships]

    @property
    def is_primary(self) -> bool:
        return self.membership.role == Membership.Role.PRIMARY

    @property
    def show_partner(self) -> bool:
        """The switcher names each facility's partner when they are not all the same."""
        return len({f.partner_id for f in self.facilities}) > 1

    @cached_property
    def links(self) -> list[dict[str, str]]:
        """The facility's sections, as tabs; the activity log is for primary contacts."""
        sections = [
            ("certificates", "Certificates", "certificates:table"),
            ("team", "Team", "facilities:team"),
            ("audit", "Audits", "audits:list"),
        ]
        if self.is_primary:
            sections.append(("activity", "Activity", "activity:facility"))
        kwargs = {"facility_id": self.facility.pk}
        return [
            {"key": key, "label": label, "url": reverse(name, kwargs=kwargs)}
            for key, label, name in sections
        ]

    def remember(self) -> None:
        """Make this facility the one the person lands on next time (a write only on change)."""
        if self.person.last_facility_id != self.facility.pk:
            Person.objects.filter(pk=self.person.pk).update(last_facility=self.facility)
            self.person.last_facility_id = self.facility.pk


def person_of(user: Any) -> Person:
    """``request.user`` as the active ``Person`` it is on signed-in pages; anyone else: 404."""
    if not isinstance(user, Person) or not user.is_active:
        raise Http404("Not found")
    return user


def portal_for(user: Any, facility_id: int) -> Portal:
    """The signed-in person's view of ``facility_id``, or 404 if they have no active membership
    of it (never 403: no hints).

    One query: every active membership with its facility and partner, and whether
    invitations wait for the person.
    """
    person = person_of(user)
    memberships = list(
        memberships_of(person)
        .annotate(invited=Exists(open_invitations(person.email)))
        .order_by("facility__name", "facility_id")
    )
    current = next((m for m in memberships if m.facility_id == facility_id), None)
    if current is None:
        raise Http404("No such facility")
    return Portal(
        person=person,
        membership=current,
        memberships=memberships,
        invited=bool(getattr(current, "invited", False)),
    )
