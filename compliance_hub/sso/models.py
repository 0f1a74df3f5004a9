"""An organisation's OpenID Connect provider and the e-mail domains it signs people in for."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from compliance_hub.accounts.models import person_link


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


class ProviderDomain(models.Model):
    """An e-mail domain a provider covers. A domain belongs to one provider only (unique),
    so where an address is sent depends on its domain alone."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain
