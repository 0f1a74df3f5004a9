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


def requires_strong(person_id: int) -> bool:
    """Whether an organisation of the person requires a passkey or single sign-on: a facility
    they are an active member of, or an auditor of (an active grant), or a partner they work
    for. One query."""
    person = OuterRef("pk")
    member = Membership.objects.filter(
        person_id=person, revoked_at__isnull=True, facility__require_strong_sign_in=True
    )
    staff = PartnerStaff.objects.filter(person_id=person, partner__require_strong_sign_in=True)
    auditor = AuditorGrant.objects.filter(
        person_id=person,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        facility__require_strong_sign_in=True,
    )
    return (
        Person.objects.filter(pk=person_id)
        .filter(Q(Exists(member)) | Q(Exists(staff)) | Q(Exists(auditor)))
        .exists()
    )
