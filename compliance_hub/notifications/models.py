"""What each person wants to be told, and what the hub has already told them.

The records here make the notification jobs idempotent: a certificate change is announced at
most once to each person (``CertificateNotice``), a week's digest is sent once
(``DigestWeek``), and the change feed is read from a durable position (``Watermark``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Preferences(models.Model):
    """One person's choices. No row: the defaults (both on)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    weekly_digest = models.BooleanField(default=True)
    certificate_changes = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"notification preferences of {self.person_id}"


class Watermark(models.Model):
    """How far a job has read a feed ordered by ``(at, key)``: everything up to and including
    that position is done. One row per feed, locked while a round works."""

    feed = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()
    key = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.feed} at {self.at:%Y-%m-%d %H:%M:%S} / {self.key}"


class CertificateNotice(models.Model):
    """``person`` was told that ``certificate`` became void or superseded: never twice."""

    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    facility = models.ForeignKey("facilities.Facility", on_delete=models.CASCADE, related_name="+")
    email = models.ForeignKey(
        "mailer.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "person"], name="one_notice_per_certificate_person"
            ),
        ]

    def __str__(self) -> str:
        return f"certificate {self.certificate_id} -> person {self.person_id}"


class DigestWeek(models.Model):
    """The weekly digest that ends at ``period_end`` was sent (written in the same transaction
    as its e-mails, so a restart neither loses nor repeats a week)."""

    period_end = models.DateTimeField(unique=True)
    period_start = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    emails = models.PositiveIntegerField(default=0)
    # The week before the job's first run is recorded, not sent: a new installation (or the
    # demo, seeded with past weeks) starts with the next week's digest.
    skipped = models.BooleanField(default=False)

    class Meta:
        ordering = ["-period_end"]

    def __str__(self) -> str:
        return f"digest {self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}: {self.emails}"
