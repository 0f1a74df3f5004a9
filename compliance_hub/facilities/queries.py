"""Reading facilities through a person's memberships (or, read-only, an auditor grant): the
only way the portal finds them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.auditors.models import AuditorGrant
from compliance_hub.auditors.queries import active_of as auditor_grants_of
from compliance_hub.core.pagination import MAX_ID
from compliance_hub.facilities.models import Facility, Invitation, Membership

if TYPE_CHECKING:
    from compliance_hub.certificates.filters import TableFilters


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
    """A person's view of one facility: through their membership of it or, read-only and
    for one audit period, through an auditor grant; and all their memberships."""

    person: Person
    member_of: Membership | None  # None when the view comes from an auditor grant
    memberships: Sequence[Membership]  # every active one, by facility name (the switcher)
    invited: bool  # open invitations are waiting for the person (the header says so)
    grant: AuditorGrant | None = None  # the auditor grant the view comes from, if any

    @property
    def membership(self) -> Membership:
        """The person's membership of the facility; an auditor has none: 404."""
        if self.member_of is None:
            raise Http404("No such facility")
        return self.member_of

    @property
    def facility(self) -> Facility:
        if self.member_of is not None:
            return self.member_of.facility
        assert self.grant is not None
        return self.grant.facility

    @property
    def facilities(self) -> list[Facility]:
        return [m.facility for m in self.memberships]

    @property
    def is_primary(self) -> bool:
        return self.member_of is not None and self.member_of.role == Membership.Role.PRIMARY

    @property
    def is_auditor(self) -> bool:
        return self.member_of is None

    @property
    def period(self) -> tuple[date, date] | None:
        """An auditor's audit period (inclusive): what they see is limited to it."""
        if self.member_of is not None or self.grant is None:
            return None
        return self.grant.period_start, self.grant.period_end

    @property
    def show_partner(self) -> bool:
        """The switcher names each facility's partner when they are not all the same."""
        return len({f.partner_id for f in self.facilities}) > 1

    @cached_property
    def links(self) -> list[dict[str, str]]:
        """The facility's sections, as tabs; the activity log and auditor access are for
        primary contacts; an auditor sees the certificates and the shared audits only."""
        if self.is_auditor:
            sections = [
                ("certificates", "Certificates", "certificates:table"),
                ("audit", "Audits", "audits:list"),
            ]
        else:
            sections = [
                ("overview", "Overview", "facilities:overview"),
                ("certificates", "Certificates", "certificates:table"),
                ("team", "Team", "facilities:team"),
                ("audit", "Audits", "audits:list"),
            ]
        if self.is_primary:
            sections.append(("activity", "Activity", "activity:facility"))
            sections.append(("auditors", "Auditors", "auditors:facility"))
        kwargs = {"facility_id": self.facility.pk}
        return [
            {"key": key, "label": label, "url": reverse(name, kwargs=kwargs)}
            for key, label, name in sections
        ]

    def scoped(self, filters: TableFilters) -> TableFilters:
        """The certificate table's ``filters`` as this view may apply them: an auditor's
        limited to their audit period, and a request only for another period is a 404."""
        if filters.outside(self.period):
            raise Http404("Outside the audit period")
        return filters.within(self.period)

    @property
    def recorded(self) -> dict[str, Any]:
        """What an activity record of this view adds: an auditor's names the firm and the
        grant (the audit packet's README lists them); a member's, nothing."""
        if self.grant is None or self.member_of is not None:
            return {}
        return {"actor_label": self.grant.actor_label, "extra": {"auditor_grant": self.grant.pk}}

    def remember(self) -> None:
        """Make this facility the one the person lands on next time (a write only on change).
        Members only: an auditor lands on their grant's facility anyway."""
        if self.is_auditor:
            return
        if self.person.last_facility_id != self.facility.pk:
            Person.objects.filter(pk=self.person.pk).update(last_facility=self.facility)
            self.person.last_facility_id = self.facility.pk

    def record(
        self,
        verb: str,
        *,
        ip: str | None,
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> Activity:
        """One activity record at the facility, by the person (see ``recorded``)."""
        extra = self.recorded
        return record(
            verb,
            actor=self.person,
            ip=ip,
            actor_label=extra.get("actor_label", ""),
            facility=self.facility,
            target=target,
            detail={**(detail or {}), **extra.get("extra", {})},
        )


def person_of(user: Any) -> Person:
    """``request.user`` as the active ``Person`` it is on signed-in pages; anyone else: 404."""
    if not isinstance(user, Person) or not user.is_active:
        raise Http404("Not found")
    return user


def portal_for(user: Any, facility_id: int, *, auditor: bool = False) -> Portal:
    """The signed-in person's view of ``facility_id``, or 404 if they have no active membership
    of it (never 403: no hints).

    ``auditor=True`` (only the read-only pages an auditor may see: the certificate table and
    its certificates and exports, the shared reconciliations): without a membership, an active
    auditor grant of the person gives the view instead, limited to its audit period
    (``Portal.period``). Expiry and revocation are checked here, on every request.

    One query: every active membership with its facility and partner, and whether
    invitations wait for the person (an auditor's view: one more, for the grant).
    """
    person = person_of(user)
    memberships = list(
        memberships_of(person)
        .annotate(invited=Exists(open_invitations(person.email)))
        .order_by("facility__name", "facility_id")
    )
    current = next((m for m in memberships if m.facility_id == facility_id), None)
    if current is not None:
        return Portal(
            person=person,
            member_of=current,
            memberships=memberships,
            invited=bool(getattr(current, "invited", False)),
        )
    grant = None
    if auditor and 0 < facility_id <= MAX_ID:  # beyond: not an id the hub gave out
        grant = auditor_grants_of(person).filter(facility_id=facility_id).first()
    if grant is None:
        raise Http404("No such facility")
    # An auditor's pages name the audited facility only: no switcher to their own.
    return Portal(person=person, member_of=None, memberships=[], invited=False, grant=grant)
