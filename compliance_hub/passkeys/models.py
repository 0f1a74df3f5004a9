"""A passkey: a WebAuthn credential (public key) a person registered, named by them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Passkey(models.Model):
    """One registered credential. Only the public key is stored; the private key never leaves
    the person's authenticator (phone, laptop, security key, password manager)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys"
    )
    # base64url of the raw credential id (at most 1023 bytes, WebAuthn §5.8.3).
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField(help_text="COSE public key, as the authenticator gave it.")
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    # base64url of the WebAuthn user handle: the same for all of a person's passkeys.
    user_handle = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["person"], name="passkey_person_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.person})"
