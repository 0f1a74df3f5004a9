"""API keys of staffing partners and the stored responses of idempotent requests."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from compliance_hub.accounts.models import person_link
from compliance_hub.facilities.models import Partner


class ApiKey(models.Model):
    """A partner's machine credential. Only the SHA-256 of the key is stored.

    The key reads ``chk_live_<8 chars>_<secret>``; ``prefix`` (``chk_live_<8 chars>``) is
    shown in the console and the activity log so a key can be recognised without revealing it.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, help_text="What the key is used for.")
    prefix = models.CharField(max_length=24, unique=True)
    key_hash = models.CharField("SHA-256 of the key", max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = person_link()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = person_link()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.partner})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def actor_label(self) -> str:
        """How the activity log names a call made with this key: its name and prefix."""
        if self.name:
            return f"API key “{self.name}” ({self.prefix}…)"
        return f"API key {self.prefix}…"


class IdempotencyRecord(models.Model):
    """The stored response to a POST sent with an ``Idempotency-Key`` header (kept 24 hours)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of method, path and body of the first request."
    )
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_unique"),
        ]
        indexes = [models.Index(fields=["partner", "created_at"], name="idempotency_age_idx")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.key}"
