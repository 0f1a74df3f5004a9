"""An organisation's OpenID Connect provider and the e-mail domains it signs people in for."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

from compliance_hub.accounts.models import person_link

TXT_LABEL = "_compliance-hub"  # the TXT record's name: _compliance-hub.<domain>
TXT_PREFIX = "compliance-hub-verification="


class IdentityProvider(models.Model):
    """One provider per owner: a partner (for its staff) or a facility (for its people).

    The client secret is stored encrypted (``sso.secrets``, a key derived from ``SECRET_KEY``)
    and never shown again after it is saved.
    """

    partner = models.OneToOneField(
        "facilities.Partner",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="identity_provider",
    )
    facility = models.OneToOneField(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="identity_provider",
    )
    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField()
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = person_link()

    class Meta:
        constraints = [
            # Exactly one owner: who configured it decides whose people it may sign in.
            models.CheckConstraint(
                condition=(Q(partner__isnull=False) & Q(facility__isnull=True))
                | (Q(partner__isnull=True) & Q(facility__isnull=False)),
                name="sso_provider_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} ({self.owner_name})"

    @property
    def owner_name(self) -> str:
        owner = self.partner or self.facility
        return owner.name if owner is not None else ""

    @property
    def domain_names(self) -> list[str]:
        return sorted(d.domain for d in self.domains.all())

    @property
    def verified_domain_names(self) -> list[str]:
        """The domains that route sign-ins here: verified ones only."""
        return sorted(d.domain for d in self.domains.all() if d.verified_at is not None)


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


class ProviderDomain(models.Model):
    """An e-mail domain a provider covers. A domain belongs to one provider only (unique),
    so where an address is sent depends on its domain alone.

    A domain does nothing until a hub operator has verified that the organisation owns it
    (``verified_at``; the organisation publishes ``verification_token`` in a DNS TXT record,
    docs/sign-in.md): whoever typed a domain in must not route its addresses to their
    provider, or have that provider sign its people in, on their word alone."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)
    verification_token = models.CharField(
        max_length=64, default=new_verification_token, editable=False
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by = person_link()

    def __str__(self) -> str:
        return self.domain

    @property
    def txt_name(self) -> str:
        """The DNS name of the TXT record that proves the organisation owns the domain."""
        return f"{TXT_LABEL}.{self.domain}"

    @property
    def txt_value(self) -> str:
        return f"{TXT_PREFIX}{self.verification_token}"
