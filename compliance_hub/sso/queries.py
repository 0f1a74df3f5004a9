"""Reading providers: which one covers an address, and the one an owner configured."""

from __future__ import annotations

from django.db.models import QuerySet

from compliance_hub.accounts.models import normalize_email
from compliance_hub.facilities.models import Facility, Invitation, Membership, Partner, PartnerStaff
from compliance_hub.facilities.queries import open_invitations
from compliance_hub.sso.models import IdentityProvider


def domain_of(email: str) -> str:
    return normalize_email(email).rpartition("@")[2]


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider covering the address's domain, once an operator verified that its
    owner owns the domain (an unverified domain routes nothing). Depends on the domain alone,
    never on whether the address has an account (no user enumeration)."""
    domain = domain_of(email)
    if not domain:
        return None
    return (
        IdentityProvider.objects.filter(
            domains__domain=domain, domains__verified_at__isnull=False, enabled=True
        )
        .select_related("partner", "facility")
        .first()
    )


def enabled_provider(provider_id: object) -> IdentityProvider | None:
    if not isinstance(provider_id, int):
        return None
    return (
        IdentityProvider.objects.filter(pk=provider_id, enabled=True)
        .prefetch_related("domains")
        .first()
    )


def provider_of(owner: Partner | Facility) -> IdentityProvider | None:
    """The provider ``owner`` configured, if any (with its domains)."""
    field = "partner" if isinstance(owner, Partner) else "facility"
    return IdentityProvider.objects.filter(**{field: owner}).prefetch_related("domains").first()


def is_owners_person(provider: IdentityProvider, person_id: int) -> bool:
    """Whether the person belongs to the provider's owner: staff of its partner, or an active
    member of its facility. A provider vouches for its owner's own people only: owning a
    domain (verified) says nothing about the accounts of people who belong to someone else."""
    if provider.partner_id is not None:
        return PartnerStaff.objects.filter(
            partner_id=provider.partner_id, person_id=person_id
        ).exists()
    facility_id = provider.facility_id or 0  # exactly one owner (sso_provider_one_owner)
    return Membership.objects.filter(
        facility_id=facility_id, person_id=person_id, revoked_at__isnull=True
    ).exists()


def owners_invitations(provider: IdentityProvider, email: str) -> QuerySet[Invitation]:
    """Open invitations of ``email`` to the provider's owner's facilities (its facility, or
    the partner's facilities): the only ones its sign-in may lead to."""
    if provider.partner_id is not None:
        return open_invitations(email).filter(facilities__partner_id=provider.partner_id).distinct()
    return open_invitations(email).filter(facilities=provider.facility_id).distinct()
