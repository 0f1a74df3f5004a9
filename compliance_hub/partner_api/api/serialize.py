"""Model rows to API response dictionaries (shapes in ``schemas``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Assignment, Certificate, Contractor
from compliance_hub.facilities.models import Facility, Invitation, Membership

# API address field -> model field (facilities and contractors alike).
ADDRESS_FIELDS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "city": "city",
    "region": "region",
    "postal_code": "postal_code",
    "country": "country",
}


def address(obj: Facility | Contractor) -> dict[str, str]:
    return {api: getattr(obj, field) for api, field in ADDRESS_FIELDS.items()}


def facility(f: Facility) -> dict[str, Any]:
    return {
        "external_id": f.external_id,
        "name": f.name,
        "address": address(f),
        "bulk_download_enabled": f.bulk_download_enabled,
        "created_at": f.created_at,
        "updated_at": f.updated_at,
    }


def contractor(c: Contractor) -> dict[str, Any]:
    return {
        "external_id": c.external_id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "address": address(c),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def pdf_url(number: str) -> str:
    return f"{settings.SITE_URL}/api/v1/certificates/{number}/pdf"


def certificate_ref(c: Certificate | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "number": c.number,
        "status": c.status,
        "issued_at": c.issued_at,
        "pdf_url": pdf_url(c.number),
    }


def certificate(
    c: Certificate, *, supersedes: str | None, superseded_by: str | None
) -> dict[str, Any]:
    """What the certificate states comes from its frozen snapshot, not today's rows."""
    snap = c.snapshot
    return {
        "number": c.number,
        "status": c.status,
        "issued_at": c.issued_at,
        "superseded_at": c.superseded_at,
        "voided_at": c.voided_at,
        "assignment": snap["assignment"]["external_id"],
        "facility": snap["holder"].get("external_id", ""),
        "contractor": snap["insured"].get("external_id", ""),
        "insured_name": snap["insured"]["name"],
        "holder_name": snap["holder"]["name"],
        "effective_date": snap["assignment"]["effective_date"],
        "end_date": snap["assignment"]["end_date"],
        "description": snap["assignment"].get("description", ""),
        "supersedes": supersedes,
        "superseded_by": superseded_by,
        "pdf_url": pdf_url(c.number),
        "verify_url": documents.verify_url(c),
        "sha256": c.sha256 or None,
        "size": c.size,
    }


def history(certificates: list[Certificate]) -> list[dict[str, Any]]:
    """All certificates of one assignment, with their supersede links, as given (newest first)."""
    numbers = {c.pk: c.number for c in certificates}
    successor = {c.supersedes_id: c.number for c in certificates if c.supersedes_id}
    return [
        certificate(
            c,
            supersedes=numbers.get(c.supersedes_id) if c.supersedes_id else None,
            superseded_by=successor.get(c.pk),
        )
        for c in certificates
    ]


def assignment(a: Assignment) -> dict[str, Any]:
    """Needs ``facility``, ``contractor`` and ``current_certificate`` loaded."""
    return {
        "external_id": a.external_id,
        "facility": a.facility.external_id,
        "contractor": a.contractor.external_id,
        "contractor_name": a.contractor_name,
        "effective_date": a.effective_date,
        "end_date": a.end_date,
        "description": a.description,
        "status": a.status,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "cancelled_at": a.cancelled_at,
        "current_certificate": certificate_ref(a.current_certificate),
    }


def invitation(inv: Invitation) -> dict[str, Any]:
    if inv.revoked_at is not None:
        status = "revoked"
    elif inv.accepted_at is not None:
        status = "accepted"
    else:
        status = "pending" if inv.is_pending else "expired"
    return {
        "id": inv.pk,
        "email": inv.email,
        "name": inv.name,
        "role": inv.role,
        "status": status,
        "created_at": inv.created_at,
        "expires_at": inv.expires_at,
        "accepted_at": inv.accepted_at,
    }


def member(m: Membership) -> dict[str, Any]:
    """Needs ``person``, ``invited_by`` and ``invited_by_partner`` loaded."""
    if m.invited_by is not None:
        invited_by = m.invited_by.email
    elif m.invited_by_partner is not None:
        invited_by = m.invited_by_partner.name
    else:
        invited_by = ""
    return {
        "id": m.pk,
        "email": m.person.email,
        "name": m.person.name,
        "role": m.role,
        "invited_by": invited_by,
        "created_at": m.created_at,
    }
