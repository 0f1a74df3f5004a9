"""The outbox: every e-mail the hub accepts is stored here before it is sent."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    """One message to one recipient, with its delivery state."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up (see last error)"

    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    template = models.CharField(max_length=200, help_text="Template the bodies came from.")
    message_id = models.CharField(
        max_length=255, unique=True, help_text="Message-ID header, the same on every attempt."
    )
    # The database default keeps inserts by a previous version (during an upgrade) working.
    headers = models.JSONField(
        default=dict,
        db_default=models.Value({}, output_field=models.JSONField()),
        blank=True,
        help_text="Extra headers of this message (e.g. List-Unsubscribe), name -> value.",
    )
    sensitive = models.BooleanField(
        default=False, help_text="Carries a secret link or code: bodies are erased once sent."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbound e-mail"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
