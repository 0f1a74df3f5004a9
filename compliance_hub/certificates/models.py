"""Contractors, their assignments at facilities, and the certificate of insurance for each."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from compliance_hub.certificates.names import search_key, sort_key
from compliance_hub.core.text import refuse_bidi
from compliance_hub.facilities.models import (
    Facility,
    Partner,
    PostalAddress,
    external_id_validator,
)


def contractor_names(contractor: Contractor) -> dict[str, str]:
    """The contractor's name as each of their assignments stores it (for the table)."""
    return {
        "contractor_name": contractor.full_name,
        "sort_name": sort_key(contractor.first_name, contractor.last_name),
        "search_name": contractor.search_name,
    }


class Contractor(PostalAddress, models.Model):
    """An individual insured person, known to the partner by its own external id."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contractors")
    external_id = models.CharField(max_length=100, validators=[external_id_validator])
    first_name = models.CharField(max_length=100, validators=[refuse_bidi])
    last_name = models.CharField(max_length=100, validators=[refuse_bidi])
    email = models.EmailField(max_length=254, blank=True, validators=[refuse_bidi])
    address_line1, address_line2, city, region, postal_code, country = PostalAddress.columns()
    search_name = models.CharField(
        max_length=210, editable=False, help_text="Lower-case, accent-free 'first last'."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="contractor_external_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "search_name"], name="contractor_search_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = search_key(self.full_name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Assignment(models.Model):
    """A contractor working at a facility from effective_date to end_date (both inclusive)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="assignments")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="assignments")
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="assignments")
    external_id = models.CharField(max_length=100, validators=[external_id_validator])
    effective_date = models.DateField()
    end_date = models.DateField()
    description = models.CharField(max_length=500, blank=True, validators=[refuse_bidi])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Denormalised from the contractor so that the facility table sorts and shows names
    # from one index, without a join per row.
    contractor_name = models.CharField(max_length=210, editable=False)
    sort_name = models.CharField(
        max_length=210, editable=False, help_text="Lower-case, accent-free 'last first'."
    )
    # The database default keeps inserts by a previous version (during an upgrade) working;
    # the worker copies the name onto such rows (certificates.names_backfill).
    search_name = models.CharField(
        max_length=210,
        editable=False,
        db_default="",
        help_text="Lower-case, accent-free 'first last'.",
    )
    current_certificate = models.ForeignKey(
        "Certificate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The newest certificate: issued, or void when the assignment is cancelled.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("effective_date")),
                name="assignment_end_on_or_after_effective",
            ),
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="assignment_external_id_unique"
            ),
        ]
        indexes = [
            # "This facility, this date range, newest first", for each date column. The other
            # date and the status are included so that "active during" and status counts are
            # index-only scans (docs/table.md, "Performance").
            models.Index(
                fields=["facility", "-effective_date", "-id"],
                include=["end_date", "status"],
                name="asg_fac_effective_idx",
            ),
            models.Index(
                fields=["facility", "-end_date", "-id"],
                include=["effective_date", "status"],
                name="asg_fac_end_idx",
            ),
            # Cancelled assignments are about 1%: the "void" filter reads only them.
            models.Index(
                fields=["facility", "-effective_date", "-id"],
                condition=Q(status="cancelled"),
                name="asg_fac_void_idx",
            ),
            # Name search within the facility: last names (sort_name, "last first") and first
            # names (search_name, "first last"). Each includes the other name, both dates and
            # the status, so that a search's ranges are counted, filtered and paged from the
            # indexes alone (queries._arm_ids).
            models.Index(
                fields=["facility", "sort_name", "id"],
                include=["search_name", "effective_date", "end_date", "status"],
                name="asg_fac_last_idx",
            ),
            models.Index(
                fields=["facility", "search_name", "id"],
                include=["sort_name", "effective_date", "end_date", "status"],
                name="asg_fac_first_idx",
            ),
            # Rows still without a search name (normally none): the worker's backfill.
            models.Index(fields=["id"], condition=Q(search_name=""), name="asg_unnamed_idx"),
            models.Index(
                fields=["facility", "contractor", "effective_date"], name="asg_fac_contractor_idx"
            ),
            models.Index(fields=["partner", "updated_at", "id"], name="asg_partner_updated_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.contractor_name} at {self.facility_id}: {self.effective_date}-{self.end_date}"
        )


class Certificate(models.Model):
    """The certificate of insurance for one assignment. Immutable once issued.

    A change to the assignment issues a new certificate that supersedes this one;
    cancelling the assignment voids it. The coverage snapshot is frozen at issue; the PDF
    is rendered once from it and its bytes and SHA-256 never change afterwards.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "Current"
        SUPERSEDED = "superseded", "Superseded"
        VOID = "void", "Void"

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(max_length=20, unique=True)
    check_code = models.CharField(
        max_length=12, help_text="Random code that, with the number, opens the verification page."
    )
    issued_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ISSUED)
    snapshot = models.JSONField(help_text="Everything the certificate states, frozen at issue.")
    template_version = models.CharField(max_length=20, default="coi-v1")
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="issued"),
                name="one_current_certificate_per_assignment",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | Q(voided_at__isnull=False),
                name="void_certificate_has_voided_at",
            ),
            # A rendered certificate always has its stored file, SHA-256 and size.
            models.CheckConstraint(
                condition=Q(rendered_at__isnull=True)
                | (~Q(pdf="") & ~Q(sha256="") & Q(size__gt=0)),
                name="rendered_certificate_has_file_and_hash",
            ),
        ]
        indexes = [
            models.Index(fields=["assignment", "issued_at"], name="cert_assignment_idx"),
            # The worker's queue, oldest first: ORDER BY id LIMIT n reads n entries, even
            # when the statistics predate a large import (and think the queue is empty).
            models.Index(
                fields=["id"],
                condition=Q(rendered_at__isnull=True),
                name="cert_unrendered_id_idx",
            ),
            # Changes in time order, for notifications (the job's watermark and the weekly
            # digest): only the few void or superseded certificates are in them.
            models.Index(
                fields=["voided_at", "id"],
                condition=Q(voided_at__isnull=False),
                name="cert_voided_at_idx",
            ),
            models.Index(
                fields=["superseded_at", "id"],
                condition=Q(superseded_at__isnull=False),
                name="cert_superseded_at_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.ISSUED
