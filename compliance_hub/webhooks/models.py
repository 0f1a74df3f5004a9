"""Webhook endpoints, the event outbox, one delivery per event and endpoint, and each attempt."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from compliance_hub.facilities.models import Partner


class WebhookEndpoint(models.Model):
    """A partner's receiver: the URL, the event types it wants and its signing secret.

    ``secret`` is the Standard Webhooks ``whsec_<base64>`` form; it is needed to sign, so it is
    stored as is and shown to the partner only when made. After a rotation the previous secret
    also signs until ``previous_secret_expires_at``.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="Event types delivered here.")
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Set by the first failed attempt after a success; an endpoint failing this long is disabled.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["partner", "enabled"], name="webhook_endpoint_partner_idx")]

    def __str__(self) -> str:
        return self.url

    def secrets_at(self, when: object) -> list[str]:
        """The secrets that sign a message sent at ``when``: the current one, and the
        previous one while its overlap lasts."""
        found = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and expires > when:  # type: ignore[operator]
            found.append(self.previous_secret)
        return found


class WebhookEvent(models.Model):
    """Something that happened to one partner's data, written in the transaction of the change.

    ``public_id`` is the ``webhook-id`` (the same on every delivery attempt). ``sequence`` is
    the reconciliation cursor: given after commit, in commit order, by ``services.assign_sequence``
    (an auto-increment id is not: a long transaction may commit a lower id after a reader has
    moved past it).
    """

    # Random (``emit.new_event_id``), so unique without a unique index: nothing looks
    # events up by it, and a bulk upsert writing a thousand events skips that index.
    public_id = models.CharField(max_length=40)
    # Indexed by ``webhook_event_feed_idx`` (partner first): no second index on partner.
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="webhook_events", db_index=False
    )
    type = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()
    # Per partner (1, 2, 3… for each, so it tells nothing of other partners' volume); unique
    # within the partner by construction (one assigner at a time); indexed with the partner.
    sequence = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["partner", "sequence"], name="webhook_event_feed_idx"),
            models.Index(
                fields=["id"], condition=Q(sequence__isnull=True), name="webhook_event_unseq_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: at least once, retried with backoff until ``give_up_at``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    # Both are indexed by a composite that starts with them (the unique constraint, the log
    # index): fewer indexes to update when a bulk upsert writes a thousand deliveries.
    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    give_up_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The partner asked for the next attempt (redelivery): one attempt, then it stops again.
    manual = models.BooleanField(default=False)
    # A worker's lease: nobody else sends it until ``claimed_until``; a killed worker's item
    # is due again once its lease has run out.
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_unique"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due_idx",
            ),
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One HTTP request for a delivery: when, the answer (or the error), how long it took."""

    delivery = models.ForeignKey(  # indexed by webhook_attempt_idx
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log", db_index=False
    )
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    manual = models.BooleanField(default=False, help_text="Asked for by the partner.")

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["delivery", "-id"], name="webhook_attempt_idx")]

    def __str__(self) -> str:
        return f"attempt {self.pk} of {self.delivery_id}"
