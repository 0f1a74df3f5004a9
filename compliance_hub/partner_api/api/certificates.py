"""``/certificates/{number}``: metadata and the PDF."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import FileResponse, HttpRequest
from ninja import Router
from ninja.params import functions as param

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from compliance_hub.core.net import client_ip
from compliance_hub.partner_api import queries
from compliance_hub.partner_api.api import serialize
from compliance_hub.partner_api.api.common import answers, key, partner
from compliance_hub.partner_api.api.schemas import CertificateOut

router = Router(tags=["certificates"])

Number = Annotated[
    str,
    param.Path(
        pattern=r"^[A-Za-z0-9-]{1,20}$",
        description="The certificate number, e.g. CH-7K3M-9QXP.",
    ),
]


@router.get(
    "/certificates/{number}",
    response=answers({200: CertificateOut}, 404),
    summary="Get a certificate",
)
def get_certificate(request: HttpRequest, number: Number) -> Any:
    """What the certificate states, frozen at issue, and its status now."""
    found = queries.certificate(partner(request), number)
    supersedes = (
        Certificate.objects.filter(pk=found.supersedes_id).values_list("number", flat=True).first()
        if found.supersedes_id
        else None
    )
    superseded_by = (
        Certificate.objects.filter(supersedes=found).values_list("number", flat=True).first()
    )
    return serialize.certificate(found, supersedes=supersedes, superseded_by=superseded_by)


@router.get(
    "/certificates/{number}/pdf",
    response=answers({200: None}, 404),
    summary="Download a certificate's PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF (attachment).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def certificate_pdf(request: HttpRequest, number: Number) -> Any:
    """The same bytes every time (its SHA-256 is in the metadata once rendered)."""
    found = queries.certificate(partner(request), number)
    handle = documents.open_pdf(found)
    record(
        Activity.Verb.DOWNLOADED,
        ip=client_ip(request),
        actor_label=key(request).actor_label,
        partner=found.assignment.partner_id,
        facility=found.assignment.facility,
        target=found.number,
        detail={"via": "api"},
    )
    return FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=True,
        filename=documents.pdf_filename(found),
    )
