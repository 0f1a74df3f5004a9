"""Auditor grants: read-only access to one facility, for one audit period, until a date."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from compliance_hub.accounts.models import person_link
from compliance_hub.core.dates import human_date
from compliance_hub.core.text import refuse_bidi
from compliance_hub.facilities.models import Facility


class AuditorGrant(models.Model):
    """An auditor's read-only access to ``facility`` for the audit period ``period_start`` to
    ``period_end`` (inclusive), until ``expires_at``. Given by a primary contact; revoked and
    expired grants are kept for the record.

    It applies to whoever controls ``email``: ``person`` is that address's account (made with
    the grant when there was none), and signing in takes the e-mailed link, like everyone.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="auditor_grants")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auditor_grants"
    )
    email = models.EmailField(max_length=254, validators=[refuse_bidi])
    firm = models.CharField("carrier or audit firm", max_length=200, validators=[refuse_bidi])
    period_start = models.DateField()
    period_end = models.DateField()
    expires_at = models.DateTimeField()
    # The reconciliations the facility shared with this auditor (with their packets).
    reconciliations = models.ManyToManyField(
        "audits.Reconciliation", blank=True, related_name="auditor_grants"
    )
    granted_by = person_link("auditor_grants_given")
    granted_by_label = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = person_link()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="auditor_grant_period_order",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "expires_at"], name="auditor_grant_person_idx"),
            models.Index(fields=["facility", "expires_at"], name="auditor_grant_facility_idx"),
        ]

    def __str__(self) -> str:
        return f"Auditor {self.email} ({self.firm}) at {self.facility_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def period_text(self) -> str:
        return f"{human_date(self.period_start)} to {human_date(self.period_end)}"

    @property
    def last_day(self) -> date:
        """The last day the grant works (``expires_at`` is the midnight after it)."""
        return timezone.localtime(self.expires_at - timedelta(microseconds=1)).date()

    @property
    def until_text(self) -> str:
        return human_date(self.last_day)

    @property
    def granter_name(self) -> str:
        person = self.granted_by
        if person is None:
            return self.granted_by_label
        return f"{person.name} ({person.email})" if person.name else person.email

    @property
    def actor_label(self) -> str:
        """How the activity log names the auditor: the address and the firm."""
        return f"{self.email} (auditor, {self.firm})"[:254]
