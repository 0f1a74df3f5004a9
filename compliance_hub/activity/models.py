"""Append-only record of who signed in, viewed, downloaded, exported, invited or removed whom."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an activity record."""


class ActivityQuerySet(models.QuerySet["Activity"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Activity records cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Activity records cannot be deleted.")


class Activity(models.Model):
    """One thing that happened. Written once, never changed or deleted."""

    class Verb(models.TextChoices):
        SIGN_IN_REQUESTED = "sign_in_requested", "Asked for a sign-in link"
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGNED_OUT = "signed_out", "Signed out"
        VIEWED = "viewed", "Viewed a certificate"
        DOWNLOADED = "downloaded", "Downloaded a certificate"
        BULK_DOWNLOADED = "bulk_downloaded", "Downloaded certificates in bulk"
        EXPORTED = "exported", "Exported"
        INVITED = "invited", "Invited"
        INVITATION_REVOKED = "invitation_revoked", "Revoked an invitation"
        INVITATION_ACCEPTED = "invitation_accepted", "Accepted an invitation"
        REMOVED = "removed", "Removed from a facility"
        LEFT = "left", "Left a facility"
        SETTINGS_CHANGED = "settings_changed", "Changed facility settings"
        AUDIT_RUN = "audit_run", "Reconciled a payment schedule"
        AUDIT_PACKET = "audit_packet", "Downloaded an audit packet"
        API_KEY_CREATED = "api_key_created", "Created an API key"
        API_KEY_REVOKED = "api_key_revoked", "Revoked an API key"
        AUDITOR_GRANTED = "auditor_granted", "Gave an auditor access"
        AUDITOR_REVOKED = "auditor_revoked", "Revoked an auditor's access"
        AUDITOR_VIEWED = "auditor_viewed", "Auditor viewed"
        PROGRAM_CHANGED = "program_changed", "Changed the insurance program"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    verb = models.CharField(max_length=32, choices=Verb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=254, help_text="Who acted, as it read at the time (e-mail or API key prefix)."
    )
    partner = models.ForeignKey(
        "facilities.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facility = models.ForeignKey(
        "facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(
        max_length=254,
        blank=True,
        help_text="What it was done to: a certificate number, an e-mail.",
    )
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activity"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["facility", "-at"], name="activity_facility_idx"),
            models.Index(fields=["partner", "-at"], name="activity_partner_idx"),
            models.Index(fields=["actor", "-at"], name="activity_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Activity records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Activity records cannot be deleted.")
