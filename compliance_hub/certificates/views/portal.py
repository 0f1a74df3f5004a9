"""What every facility portal page needs: the person's facilities, scoped by membership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from compliance_hub.accounts.models import Person
from compliance_hub.certificates.queries import longest_days_subquery, uses_duration_bound
from compliance_hub.core.compiled import CompiledQuery, field_names, instance
from compliance_hub.facilities.models import Facility, Membership, Partner
from compliance_hub.facilities.queries import active_memberships


@dataclass(frozen=True)
class Portal:
    """The facility being looked at, through the person's active membership of it."""

    membership: Membership
    memberships: list[Membership]
    longest: int | None  # the facility's longest assignment in days, when cheaply known

    @property
    def facility(self) -> Facility:
        return self.membership.facility

    @property
    def facilities(self) -> list[Facility]:
        return [m.facility for m in self.memberships]

    def switcher(self, keep: dict[str, str] | None = None) -> dict[str, Any]:
        """Context for the header's facility switcher (see base.html)."""
        partners = {f.partner_id for f in self.facilities}
        return {
            "facilities": self.facilities,
            "current": self.facility,
            "keep": keep or {},
            "show_partner": len(partners) > 1,
        }

    def nav(self, section: str) -> list[dict[str, Any]]:
        """Links of the facility's sections that exist (Team and Audit come from others)."""
        links = []
        for key, label, name in (
            ("certificates", "Certificates", "certificates:table"),
            ("team", "Team", "facilities:team"),
            ("audit", "Audits", "audits:list"),
        ):
            try:
                url = reverse(name, kwargs={"facility_id": self.facility.pk})
            except NoReverseMatch:
                continue
            links.append({"label": label, "url": url, "current": key == section})
        return links


_MEMBERSHIP = field_names(Membership)
_FACILITY = field_names(Facility, "facility__")
_PARTNER = field_names(Partner, "facility__partner__")


def _memberships_query(bound: bool) -> CompiledQuery:
    """Every active membership of a person, by facility name, with facility and partner
    (and, when ``bound``, each facility's longest assignment), compiled once."""

    def build(person_id: int) -> QuerySet[Any]:
        qs = active_memberships(person_id).order_by("facility__name", "facility_id")
        names = [*_MEMBERSHIP, *_FACILITY, *_PARTNER]
        if bound:
            qs = qs.annotate(longest_days=longest_days_subquery(OuterRef("facility_id")))
            names.append("longest_days")
        return qs.values_list(*names)

    return CompiledQuery(build)


_MEMBERSHIPS = {bound: _memberships_query(bound) for bound in (False, True)}


def _membership(values: tuple[Any, ...]) -> Membership:
    ends = (len(_MEMBERSHIP), len(_MEMBERSHIP) + len(_FACILITY))
    membership = instance(Membership, values[: ends[0]])
    facility = instance(Facility, values[ends[0] : ends[1]])
    facility.partner = instance(Partner, values[ends[1] : ends[1] + len(_PARTNER)])
    membership.facility = facility
    if len(values) > ends[1] + len(_PARTNER):
        membership.longest_days = values[-1]
    return membership


def portal_for(person: Any, facility_id: int) -> Portal:
    """The person's view of ``facility_id``, or 404 if they have no active membership.

    One query: every active membership (for the switcher) with facility and partner,
    and, when the duration index exists, each facility's longest assignment. It runs on
    every portal page, so its SQL is compiled once (``core.compiled``).
    """
    if not getattr(person, "is_authenticated", False):
        raise Http404("No such facility")
    bound = uses_duration_bound()
    rows = _MEMBERSHIPS[bound].rows(person.pk)
    memberships = [_membership(values) for values in rows]
    current = next((m for m in memberships if m.facility_id == facility_id), None)
    if current is None:
        raise Http404("No such facility")
    longest = (getattr(current, "longest_days", None) or 0) if bound else None
    return Portal(membership=current, memberships=memberships, longest=longest)


def remember_facility(person: Person, facility: Facility) -> None:
    """Make ``facility`` the one the person lands on next time (a write only on change)."""
    if person.last_facility_id != facility.pk:
        Person.objects.filter(pk=person.pk).update(last_facility=facility)
        person.last_facility_id = facility.pk
