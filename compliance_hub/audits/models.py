"""Saved payment-schedule reconciliations, their rows, and uploads waiting to be run."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from compliance_hub.accounts.models import person_link
from compliance_hub.audits.exposure import Inputs
from compliance_hub.facilities.models import Facility


class Status(models.TextChoices):
    """What a payment row ends as. Only ``covered`` means the work was insured."""

    COVERED = "covered", "Covered"
    PARTIAL = "partial", "Partly covered"
    NOT_COVERED = "not_covered", "Not covered"
    AMBIGUOUS = "ambiguous", "Ambiguous"
    UNKNOWN = "unknown", "Unknown contractor"
    EXCLUDED = "excluded", "Not a contractor here"
    INVALID = "invalid", "Unreadable row"


# Statuses that call for a decision in the app (a suggestion can be picked).
UNRESOLVED = ("ambiguous", "unknown")


class PendingUpload(models.Model):
    """An uploaded schedule, already read into a table, waiting for its column mapping.

    Only the parsed cells are kept (gzip'd JSON), never the original file; the row is
    deleted when the reconciliation runs, or after ``UPLOAD_TTL`` if it never does.
    """

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    kind = models.CharField(max_length=8)  # "csv" or "xlsx"
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    row_count = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="audit_pending_created_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count} rows)"


class Reconciliation(models.Model):
    """One run of a payment schedule against a facility's certificates. Kept for good."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="reconciliations")
    created_by = person_link()
    created_by_label = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=8)
    file_size = models.PositiveIntegerField()
    file_sha256 = models.CharField("SHA-256 of the file", max_length=64)
    encoding = models.CharField(max_length=20, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    mapping = models.JSONField(default=dict, help_text="Field -> column header, as confirmed.")
    date_basis = models.CharField(max_length=10)  # "work", "period" or "payment"
    date_notes = models.JSONField(default=list, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    row_count = models.PositiveIntegerField()
    has_amounts = models.BooleanField(default=False)
    totals = models.JSONField(default=dict)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payroll_share = models.DecimalField(
        "share of payments treated as payroll (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("90"),
    )
    class_rate = models.DecimalField(
        "class rate per $100 of payroll", max_digits=8, decimal_places=4, null=True, blank=True
    )
    estimate_set_by_label = models.CharField(max_length=254, blank=True)
    estimate_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["facility", "-created_at"], name="audit_rec_facility_idx"),
        ]

    def __str__(self) -> str:
        return f"Reconciliation {self.pk} of {self.file_name}"

    @property
    def estimate_inputs(self) -> Inputs:
        return Inputs(Decimal(self.payroll_share), self.class_rate)

    def total(self, key: str) -> dict[str, Any]:
        """Count and amount of one status (or "duplicate", "all", "manual"); zero if the
        reconciliation predates that key."""
        found: dict[str, Any] = self.totals.get(key) or {"count": 0, "amount": "0.00"}
        return found

    @property
    def attention_count(self) -> int:
        """Rows (duplicates aside) that are not covered, for whatever reason."""
        return sum(
            self.total(status)["count"]
            for status in Status.values
            if status not in (Status.COVERED, Status.EXCLUDED)
        )


class ReconciliationRow(models.Model):
    """One payment row of the schedule and what the hub found for it."""

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="rows"
    )
    line = models.PositiveIntegerField(help_text="Row number in the uploaded file.")
    status = models.CharField(max_length=12, choices=Status.choices)
    given_name = models.CharField(max_length=300, blank=True)
    given_email = models.CharField(max_length=300, blank=True)
    given_contractor_id = models.CharField(max_length=300, blank=True)
    contractor = models.ForeignKey(
        "certificates.Contractor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contractor_label = models.CharField(max_length=300, blank=True)
    matched_by = models.CharField(max_length=40, blank=True)
    work_from = models.DateField(null=True, blank=True)
    work_to = models.DateField(null=True, blank=True)
    payment_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=15, decimal_places=2, null=True, blank=True)
    certificates = models.JSONField(
        default=list, blank=True, help_text='[{"id", "number", "from", "to"}] that cover the row.'
    )
    candidates = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    duplicate_of = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(
        max_length=3, blank=True, help_text="Currency written with the amount, if any."
    )
    uncovered_amount = models.DecimalField(
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The US-dollar part of the amount paid for days not covered.",
    )
    decision = models.CharField(
        max_length=400, blank=True, help_text="The manual decision applied, who and when."
    )
    search = models.CharField(max_length=620, blank=True, help_text="Folded names, for filtering.")

    class Meta:
        ordering = ["reconciliation", "line"]
        indexes = [
            models.Index(fields=["reconciliation", "line"], name="audit_row_line_idx"),
            models.Index(fields=["reconciliation", "status", "line"], name="audit_row_status_idx"),
            models.Index(
                fields=["reconciliation", "contractor", "line"], name="audit_row_contractor_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Row {self.line}: {self.status}"

    @property
    def status_label(self) -> str:
        return Status(self.status).label


class ContractorCoverage(models.Model):
    """A matched contractor's coverage over the audit period, frozen at the run.

    It draws the coverage timeline, so a saved reconciliation shows what the hub saw
    when it ran, even after certificates change.
    """

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="coverage"
    )
    contractor_id = models.BigIntegerField()
    label = models.CharField(max_length=300)
    intervals = models.JSONField(default=list, help_text='[["YYYY-MM-DD", "YYYY-MM-DD"], ...]')

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "contractor_id"], name="audit_coverage_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} in reconciliation {self.reconciliation_id}"


class RowDecision(models.Model):
    """Who a schedule's written name (e-mail, id) is at a facility, as a person decided it.

    Applied to matching rows whenever the facility's schedules are reconciled (or re-run).
    No contractor means "not a contractor of this facility".
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="+")
    name_key = models.CharField(max_length=300, blank=True)
    email_key = models.CharField(max_length=300, blank=True)
    id_key = models.CharField(max_length=300, blank=True)
    written = models.CharField(max_length=300, help_text="The name as written in the file.")
    contractor = models.ForeignKey(
        "certificates.Contractor",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    decided_by = person_link()
    decided_by_label = models.CharField(max_length=254)
    decided_at = models.DateTimeField(default=timezone.now)
    reconciliation = models.ForeignKey(
        Reconciliation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The reconciliation it was decided on.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "name_key", "email_key", "id_key"],
                name="audit_decision_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision on “{self.written}” at facility {self.facility_id}"
