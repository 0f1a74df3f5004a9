"""Reading passkeys, and whether a person's organisations require a passkey or single sign-on."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from compliance_hub.accounts.models import Person
from compliance_hub.auditors.models import AuditorGrant
from compliance_hub.facilities.models import Membership, PartnerStaff
from compliance_hub.passkeys.models import Passkey


def passkeys_of(person: Any) -> QuerySet[Passkey]:
    """The person's passkeys, oldest first."""
    return Passkey.objects.filter(person_id=person.pk).order_by("created_at", "id")


def has_passkeys(person_id: int) -> bool:
    return Passkey.objects.filter(person_id=person_id).exists()


# A facility requires it if either switch is on: its own (primary contacts) or the partner's.
_REQUIRING_FACILITY = Q(facility__require_strong_sign_in=True) | Q(
    facility__partner_requires_strong_sign_in=True
)


def _requiring(
    person: Any,
) -> tuple[QuerySet[Membership], QuerySet[PartnerStaff], QuerySet[AuditorGrant]]:
    """The person's active memberships at, and active auditor grants of, requiring facilities,
    and their staff roles at requiring partners."""
    member = Membership.objects.filter(person_id=person, revoked_at__isnull=True).filter(
        _REQUIRING_FACILITY
    )
    staff = PartnerStaff.objects.filter(person_id=person, partner__require_strong_sign_in=True)
    auditor = AuditorGrant.objects.filter(
        person_id=person, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).filter(_REQUIRING_FACILITY)
    return member, staff, auditor


def requires_strong(person_id: int) -> bool:
    """Whether an organisation of the person requires a passkey or single sign-on: a facility
    they are an active member of, or an auditor of (an active grant), or a partner they work
    for. One query."""
    member, staff, auditor = _requiring(OuterRef("pk"))
    return (
        Person.objects.filter(pk=person_id)
        .filter(Q(Exists(member)) | Q(Exists(staff)) | Q(Exists(auditor)))
        .exists()
    )


def reset_refused(
    person_id: int, *, facility_id: int | None = None, partner_id: int | None = None
) -> bool:
    """Whether resetting the person's passkeys must be left to someone else: an organisation
    of theirs other than the one resetting requires a passkey or single sign-on, or they are
    one of the hub's operators. The one resetting is the facility ``facility_id`` (its primary
    contacts) or the partner ``partner_id`` (its staff, for all its facilities and its staff).

    Rule: a reset lets whoever holds the person's e-mailed link set up their "first" passkey,
    which then satisfies every organisation's requirement; so an organisation may reset only
    passkeys that no other organisation relies on. One query."""
    member, staff, auditor = _requiring(OuterRef("pk"))
    if partner_id is not None:
        member = member.exclude(facility__partner_id=partner_id)
        auditor = auditor.exclude(facility__partner_id=partner_id)
        staff = staff.exclude(partner_id=partner_id)
    elif facility_id is not None:
        member = member.exclude(facility_id=facility_id)
        auditor = auditor.exclude(facility_id=facility_id)
    return (
        Person.objects.filter(pk=person_id)
        .filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(Exists(member))
            | Q(Exists(staff))
            | Q(Exists(auditor))
        )
        .exists()
    )
