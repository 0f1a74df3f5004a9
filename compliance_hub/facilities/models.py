"""Staffing partners, their insurance program, facilities, memberships and invitations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from compliance_hub.accounts.models import person_link
from compliance_hub.core.text import refuse_bidi

EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$"
external_id_validator = RegexValidator(
    EXTERNAL_ID_PATTERN,
    "Use 1-100 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.",
)


class PostalAddress:
    """The address of facilities and contractors: its columns, and how a certificate prints it."""

    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str

    @staticmethod
    def columns() -> tuple[models.CharField[Any, Any], ...]:
        """New fields for ``address_line1, address_line2, city, region, postal_code, country``."""
        return (
            models.CharField(max_length=200, blank=True, validators=[refuse_bidi]),
            models.CharField(max_length=200, blank=True, validators=[refuse_bidi]),
            models.CharField(max_length=100, blank=True, validators=[refuse_bidi]),
            models.CharField(
                "state / region", max_length=100, blank=True, validators=[refuse_bidi]
            ),
            models.CharField(max_length=20, blank=True, validators=[refuse_bidi]),
            models.CharField(max_length=2, default="US"),
        )

    @property
    def address_lines(self) -> list[str]:
        """The street lines, then "City, Region Postal-code"; empty parts left out."""
        region = " ".join(p for p in (self.region, self.postal_code) if p)
        city = ", ".join(p for p in (self.city, region) if p)
        return [line for line in (self.address_line1, self.address_line2, city) if line]


class Partner(models.Model):
    """A staffing platform: owns facilities, contractors, assignments and an insurance program."""

    name = models.CharField(max_length=200, validators=[refuse_bidi])
    slug = models.SlugField(max_length=80, unique=True)
    support_email = models.EmailField(
        blank=True,
        validators=[refuse_bidi],
        help_text="Where facility people ask about access or bulk download.",
    )
    producer_name = models.CharField(
        "producer (broker)",
        max_length=200,
        blank=True,
        validators=[refuse_bidi],
        help_text="Broker named on certificates.",
    )
    producer_address = models.TextField(blank=True, validators=[refuse_bidi])
    producer_contact_name = models.CharField(max_length=200, blank=True, validators=[refuse_bidi])
    producer_phone = models.CharField(max_length=40, blank=True, validators=[refuse_bidi])
    producer_email = models.EmailField(blank=True, validators=[refuse_bidi])
    # Signs certificates (coi-v2 onwards) for the producer, electronically.
    representative_name = models.CharField(
        "authorized representative",
        max_length=200,
        blank=True,
        db_default="",  # rows written by raw SQL (bench dataset, plan tests) need no value
        validators=[refuse_bidi],
    )
    representative_title = models.CharField(
        "authorized representative's title",
        max_length=200,
        blank=True,
        db_default="",
        validators=[refuse_bidi],
    )
    # The partner's own staff must use a passkey (or single sign-on) after the e-mailed link.
    require_strong_sign_in = models.BooleanField(
        "require passkey or single sign-on for staff", default=False, db_default=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Insurer(models.Model):
    """An insurance company affording coverage in a partner's program (ACORD "insurer A-F")."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="insurers")
    letter = models.CharField(
        max_length=1, validators=[RegexValidator(r"^[A-F]$", "Use a letter A to F.")]
    )
    name = models.CharField(max_length=200, validators=[refuse_bidi])
    naic = models.CharField(
        "NAIC number",
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", "An NAIC company code has five digits.")],
    )

    class Meta:
        ordering = ["partner", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "letter"], name="insurer_letter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.letter}: {self.name}"


MAX_LIMIT = 10**12  # dollars; more is a typing error


class Basis(models.TextChoices):
    OCCURRENCE = "occurrence", "Occurrence"
    CLAIMS_MADE = "claims_made", "Claims-made"


class AggregatePer(models.TextChoices):
    POLICY = "policy", "Policy"
    PROJECT = "project", "Project"
    LOCATION = "location", "Location"


class WcLimits(models.TextChoices):
    PER_STATUTE = "per_statute", "Per statute"
    OTHER = "other", "Other"


WC_FIELDS = (
    "wc_limits",
    "proprietor_excluded",
    "el_each_accident",
    "el_disease_each_employee",
    "el_disease_policy_limit",
)


class CoverageLine(models.Model):
    """One line of coverage in the program: what kind, which policy, which limits."""

    class Kind(models.TextChoices):
        GENERAL_LIABILITY = "general_liability", "Commercial general liability"
        PROFESSIONAL_LIABILITY = "professional_liability", "Professional liability"
        OCCUPATIONAL_ACCIDENT = "occupational_accident", "Occupational accident"
        WORKERS_COMPENSATION = "workers_compensation", "Workers' compensation"
        AUTOMOBILE_LIABILITY = "automobile_liability", "Automobile liability"
        UMBRELLA = "umbrella", "Umbrella / excess liability"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="coverage_lines")
    insurer = models.ForeignKey(Insurer, on_delete=models.PROTECT, related_name="coverage_lines")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    policy_number = models.CharField(max_length=60, validators=[refuse_bidi])
    limits = models.JSONField(
        default=list,
        blank=True,
        help_text='[label, dollars] pairs, e.g. [["Each occurrence", 1000000]].',
    )
    additional_insured = models.BooleanField("additional insured", default=False)
    subrogation_waived = models.BooleanField("waiver of subrogation", default=False)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    # The program policy's own term (a certificate states the assignment's dates as the
    # coverage period, and this term beside the policy number).
    policy_effective = models.DateField("policy effective", null=True, blank=True)
    policy_expiry = models.DateField("policy expiry", null=True, blank=True)
    basis = models.CharField(
        "occurrence or claims-made", max_length=12, choices=Basis.choices, blank=True, db_default=""
    )
    aggregate_applies_per = models.CharField(
        "general aggregate applies per",
        max_length=10,
        choices=AggregatePer.choices,
        blank=True,
        db_default="",
    )
    # Workers' compensation lines only.
    wc_limits = models.CharField(
        "statutory limits", max_length=12, choices=WcLimits.choices, blank=True, db_default=""
    )
    proprietor_excluded = models.BooleanField(
        "proprietor / partner / executive officer excluded", null=True, blank=True
    )
    el_each_accident = models.PositiveBigIntegerField(
        "E.L. each accident", null=True, blank=True, validators=[MaxValueValidator(MAX_LIMIT)]
    )
    el_disease_each_employee = models.PositiveBigIntegerField(
        "E.L. disease, each employee",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_LIMIT)],
    )
    el_disease_policy_limit = models.PositiveBigIntegerField(
        "E.L. disease, policy limit",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_LIMIT)],
    )

    class Meta:
        ordering = ["partner", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.policy_number}"

    @property
    def is_workers_compensation(self) -> bool:
        return self.kind == self.Kind.WORKERS_COMPENSATION

    def clean(self) -> None:
        """The term ends on or after it starts; workers' compensation details only on that line;
        occurrence / aggregate basis not on it."""
        errors: dict[str, str] = {}
        start, end = self.policy_effective, self.policy_expiry
        if start and end and end < start:
            errors["policy_expiry"] = "The policy expires on or after its effective date."
        if self.is_workers_compensation:
            for field in ("basis", "aggregate_applies_per"):
                if getattr(self, field):
                    errors[field] = "Not part of a workers' compensation line; leave it empty."
        else:
            for field in WC_FIELDS:
                if getattr(self, field) not in (None, ""):
                    errors[field] = "Only a workers' compensation line has this; leave it empty."
        if errors:
            raise ValidationError(errors)


class PartnerStaff(models.Model):
    """A person who works for a partner and may use its console."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="staff")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_roles"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "partner staff"
        constraints = [
            models.UniqueConstraint(fields=["partner", "person"], name="partner_staff_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.partner}"


class Facility(PostalAddress, models.Model):
    """A location that receives contractors; belongs to one partner."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="facilities")
    external_id = models.CharField(max_length=100, validators=[external_id_validator])
    name = models.CharField(max_length=200, validators=[refuse_bidi])
    address_line1, address_line2, city, region, postal_code, country = PostalAddress.columns()
    bulk_download_enabled = models.BooleanField(
        default=False, help_text="Only the staffing partner turns this on."
    )
    # After the e-mailed link its people must also use a passkey (or come through single
    # sign-on) if either of these is on (compliance_hub/passkeys). Two switches, so that
    # neither can turn off what the other required: the facility's own (its primary
    # contacts) and the partner's.
    require_strong_sign_in = models.BooleanField(
        "require passkey or single sign-on (the facility's own)", default=False, db_default=False
    )
    partner_requires_strong_sign_in = models.BooleanField(
        "require passkey or single sign-on (by the partner)", default=False, db_default=False
    )
    # At least the days from start to end of its longest assignment (kept by every write of
    # assignments): bounds the date range an "active during" query reads. The database
    # default keeps inserts by a previous version (during an upgrade) working.
    longest_assignment_days = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "facilities"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="facility_external_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def strong_sign_in_required(self) -> bool:
        """Whether its people must use a passkey or single sign-on (either switch is on)."""
        return self.require_strong_sign_in or self.partner_requires_strong_sign_in


class Membership(models.Model):
    """A person's access to one facility. Revoked memberships are kept for the record."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary contact"
        MEMBER = "member", "Team member"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = person_link()
    invited_by_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = person_link()

    class Meta:
        ordering = ["facility", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "facility"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_membership_per_person_facility",
            ),
        ]
        indexes = [models.Index(fields=["facility", "revoked_at"], name="membership_facility_idx")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.facility} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """Pending access for an e-mail address to one or more facilities."""

    email = models.EmailField(max_length=254, validators=[refuse_bidi])
    name = models.CharField(max_length=200, blank=True, validators=[refuse_bidi])
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    facilities = models.ManyToManyField(Facility, related_name="invitations")
    invited_by = person_link("invitations_sent")
    invited_by_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = person_link()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email"], name="invitation_email_idx")]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
