"""Request and response bodies of the partner API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from compliance_hub.partner_api.api.fields import (
    CountryCode,
    Description,
    Email,
    ExternalId,
    IsoDate,
    Line20,
    Line100,
    Line200,
    RequiredLine100,
    RequiredLine200,
)

Outcome = Literal["created", "updated", "unchanged"]
Role = Literal["primary", "member"]


class Schema(BaseModel):
    """Plain pydantic models: bodies are plain data, so ninja's ORM-aware Schema is not needed."""


class Input(Schema):
    """Unknown fields are an error, so a misspelt field never goes unnoticed."""

    model_config = ConfigDict(extra="forbid")


# --- shared -----------------------------------------------------------------------------


class AddressIn(Input):
    line1: Line200 = ""
    line2: Line200 = ""
    city: Line100 = ""
    region: Line100 = ""  # state or region
    postal_code: Line20 = ""
    country: CountryCode = "US"


class AddressOut(Schema):
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str


# --- facilities -------------------------------------------------------------------------


class FacilityIn(Input):
    name: RequiredLine200
    address: AddressIn = AddressIn()
    bulk_download_enabled: StrictBool | None = Field(
        None,
        description="Let the facility download its certificates in bulk. "
        "Omit to keep the current setting (off for a new facility).",
    )


class FacilityOut(Schema):
    external_id: str
    name: str
    address: AddressOut
    bulk_download_enabled: bool
    created_at: datetime
    updated_at: datetime


class FacilityUpsertOut(FacilityOut):
    outcome: Outcome


class FacilityPage(Schema):
    items: list[FacilityOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")


class FacilitySettingsIn(Input):
    bulk_download_enabled: StrictBool


class FacilitySettingsOut(Schema):
    bulk_download_enabled: bool


# --- contractors ------------------------------------------------------------------------


class ContractorIn(Input):
    first_name: RequiredLine100
    last_name: RequiredLine100
    email: Email = ""
    address: AddressIn = AddressIn()


class ContractorOut(Schema):
    external_id: str
    first_name: str
    last_name: str
    email: str
    address: AddressOut
    created_at: datetime
    updated_at: datetime


class ContractorUpsertOut(ContractorOut):
    outcome: Outcome


class ContractorPage(Schema):
    items: list[ContractorOut]
    next_cursor: str | None


# --- certificates -----------------------------------------------------------------------


class CertificateRef(Schema):
    number: str
    status: Literal["issued", "superseded", "void"]
    issued_at: datetime
    pdf_url: str


class CertificateOut(Schema):
    """What a certificate states (frozen at issue) and where its PDF is."""

    number: str
    status: Literal["issued", "superseded", "void"]
    issued_at: datetime
    superseded_at: datetime | None
    voided_at: datetime | None
    assignment: str = Field(description="The assignment's external id.")
    facility: str = Field(description="The certificate holder's external id at issue.")
    contractor: str = Field(description="The insured contractor's external id at issue.")
    insured_name: str
    holder_name: str
    effective_date: date
    end_date: date
    description: str
    supersedes: str | None = Field(description="Number of the certificate this one replaced.")
    superseded_by: str | None = Field(description="Number of the certificate that replaced it.")
    pdf_url: str
    verify_url: str = Field(description="Public verification address printed on the PDF.")
    sha256: str | None = Field(description="SHA-256 of the PDF once rendered, else null.")
    size: int | None = Field(description="PDF size in bytes once rendered, else null.")


class CertificateList(Schema):
    items: list[CertificateOut]


# --- assignments ------------------------------------------------------------------------


class AssignmentIn(Input):
    facility: ExternalId = Field(description="External id of one of your facilities.")
    contractor: ExternalId = Field(description="External id of one of your contractors.")
    effective_date: IsoDate = Field(description="First day covered (inclusive).")
    end_date: IsoDate = Field(description="Last day covered (inclusive), on or after the first.")
    description: Description = ""


class AssignmentOut(Schema):
    external_id: str
    facility: str
    contractor: str
    contractor_name: str
    effective_date: date
    end_date: date
    description: str
    status: Literal["active", "cancelled"]
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    current_certificate: CertificateRef | None


class AssignmentUpsertOut(AssignmentOut):
    outcome: Outcome


class AssignmentCancelOut(AssignmentOut):
    outcome: Literal["cancelled", "unchanged"]


class AssignmentPage(Schema):
    items: list[AssignmentOut]
    next_cursor: str | None


class BulkItemIn(AssignmentIn):
    external_id: ExternalId


class BulkIn(Input):
    items: list[BulkItemIn] = Field(min_length=1, max_length=1000)


class BulkItemOut(Schema):
    index: int
    external_id: str
    outcome: Outcome
    certificate: str | None = Field(description="Number of the current certificate.")


class BulkOut(Schema):
    created: int
    updated: int
    unchanged: int
    items: list[BulkItemOut]


# --- people -----------------------------------------------------------------------------


class InvitationIn(Input):
    email: Email
    name: Line200 = ""
    role: Role = "member"


class InvitationOut(Schema):
    id: int
    email: str
    name: str
    role: Role
    status: Literal["pending", "expired", "accepted", "revoked"]
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


class InvitationList(Schema):
    items: list[InvitationOut]


class MemberOut(Schema):
    id: int
    email: str
    name: str
    role: Role
    invited_by: str = Field(description="Who gave access: a person's e-mail or a partner name.")
    created_at: datetime


class MemberList(Schema):
    items: list[MemberOut]


# --- insurance program ------------------------------------------------------------------

Money = Annotated[StrictInt, Field(ge=0, le=10**12, description="Whole US dollars.")]


class RepresentativeIn(Input):
    """Who signs certificates for the producer (printed with an electronic signature)."""

    name: Line200 = ""
    title: Line200 = ""


class RepresentativeOut(Schema):
    name: str
    title: str


class WorkersCompensationIn(Input):
    limits: Literal["per_statute", "other"] | None = Field(
        None, description="Statutory limits (`per_statute`) or `other`."
    )
    proprietor_excluded: StrictBool | None = Field(
        None, description="Any proprietor / partner / executive officer / member excluded."
    )
    el_each_accident: Money | None = None
    el_disease_each_employee: Money | None = None
    el_disease_policy_limit: Money | None = None


class WorkersCompensationOut(Schema):
    limits: Literal["per_statute", "other"] | None
    proprietor_excluded: bool | None
    el_each_accident: int | None
    el_disease_each_employee: int | None
    el_disease_policy_limit: int | None


class CoverageTermsIn(Input):
    """The details of a coverage line you set; a field left out is cleared."""

    policy_effective: IsoDate | None = Field(None, description="First day of the policy term.")
    policy_expiry: IsoDate | None = Field(
        None, description="Expiry of the policy term, on or after its effective date."
    )
    basis: Literal["occurrence", "claims_made"] | None = Field(
        None, description="Occurrence or claims-made (not on workers' compensation)."
    )
    aggregate_applies_per: Literal["policy", "project", "location"] | None = Field(
        None, description="What the general aggregate applies per (not on workers' compensation)."
    )
    workers_compensation: WorkersCompensationIn | None = Field(
        None, description="Only on a workers' compensation line."
    )


class CoverageLineOut(Schema):
    id: int
    kind: str = Field(description="general_liability, workers_compensation, …")
    label: str
    insurer: str = Field(description="The insurer's letter (A-F).")
    policy_number: str
    limits: list[tuple[str, int]]
    additional_insured: bool
    subrogation_waived: bool
    active: bool
    policy_effective: date | None
    policy_expiry: date | None
    basis: Literal["occurrence", "claims_made"] | None
    aggregate_applies_per: Literal["policy", "project", "location"] | None
    workers_compensation: WorkersCompensationOut | None = Field(
        description="Present on a workers' compensation line only."
    )


class ProgramOut(Schema):
    representative: RepresentativeOut
    coverage_lines: list[CoverageLineOut]
