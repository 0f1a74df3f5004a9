"""Serving one certificate PDF to a member of its facility: in the browser, or as a download.

A void or superseded certificate is served as its stamped copy (``certificates.copies``);
the file exactly as issued has its own address (``download_original``).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from typing import IO
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from compliance_hub.activity.models import Activity
from compliance_hub.certificates import copies, documents
from compliance_hub.certificates.models import Certificate
from compliance_hub.certificates.queries import TableFilters, matching
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import Portal, portal_for

# The browser may reuse its copy for a few minutes; after that it revalidates with the
# ETag (a 304 costs no PDF bytes). Private: shared caches must never keep a certificate.
CACHE_CONTROL = "private, max-age=300"
_UNSAFE_IN_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Failures of the file store (disk or S3) while a PDF is rendered or opened: the person gets
# "try again shortly" (503 + Retry-After), never a bare server error.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
RETRY_AFTER_SECONDS = 30
logger = logging.getLogger(__name__)


def content_disposition(kind: str, filename: str) -> str:
    """``inline``/``attachment`` with an ASCII ``filename`` and, if needed, ``filename*``.

    RFC 6266: old clients read the quoted ASCII fallback, current ones the UTF-8 form.
    """
    stem = filename[:-4] if filename.lower().endswith(".pdf") else filename
    decomposed = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_name = (_UNSAFE_IN_ASCII_NAME.sub("_", decomposed).strip("._") or "certificate") + ".pdf"
    header = f'{kind}; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def certificate_for(person: object, facility_id: int, number: str) -> tuple[Portal, Certificate]:
    """The certificate ``number`` if it belongs to the person's facility ``facility_id``.

    Any certificate of the assignment's history (current, superseded or void) qualifies;
    anything else (no membership, another facility's number, a guess, for an auditor an
    assignment not active during the audit period) is a 404.
    """
    portal = portal_for(person, int(facility_id), auditor=True)
    facility = portal.facility
    found = Certificate.objects.select_related("assignment").filter(
        number=number.upper(), assignment__facility_id=facility.pk
    )
    if portal.period is not None:
        in_period = matching(facility, portal.scoped(TableFilters())).values("id")
        found = found.filter(assignment__in=in_period)
    certificate = found.first()
    if certificate is None:
        raise Http404("No such certificate")
    return portal, certificate


def _serve(
    request: HttpRequest,
    facility_id: int,
    number: str,
    *,
    attachment: bool,
    original: bool = False,
) -> HttpResponseBase:
    """The certificate's PDF: a void or superseded one as its stamped copy (``copies``),
    unless ``original`` asks for the file as issued."""
    portal, certificate = certificate_for(request.user, facility_id, number)
    try:
        certificate = documents.ensure_rendered(certificate)
    except STORAGE_ERRORS:
        return _storage_unavailable(request, certificate)
    stamped = copies.is_stamped(certificate) and not original
    etag = copies.etag(certificate) if stamped else f'"{certificate.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
    }
    not_modified = get_conditional_response(request, etag=etag)
    if request.method == "GET":
        portal.record(  # an auditor's names the firm and the grant
            Activity.Verb.DOWNLOADED if attachment else Activity.Verb.VIEWED,
            ip=client_ip(request),
            target=certificate.number,
            detail={
                "assignment": certificate.assignment_id,
                "status": certificate.status,
                # Which file: the original as issued, or the copy stamped VOID/SUPERSEDED.
                "copy": "stamped" if stamped else "original",
                **({"not_modified": True} if not_modified is not None else {}),
            },
        )
    if not_modified is not None:
        for name, value in headers.items():
            not_modified[name] = value
        return not_modified
    try:
        if stamped:
            data = copies.stamped_pdf(certificate)
            copies.remember(certificate, data)
            pdf: IO[bytes] = io.BytesIO(data)
            filename = copies.filename(certificate)
        else:
            pdf = documents.open_pdf(certificate)
            filename = (
                copies.original_filename(certificate)
                if original
                else documents.pdf_filename(certificate)
            )
    except STORAGE_ERRORS:
        return _storage_unavailable(request, certificate)
    response = FileResponse(pdf, content_type="application/pdf")
    kind = "attachment" if attachment else "inline"
    response["Content-Disposition"] = content_disposition(kind, filename)
    for name, value in headers.items():
        response[name] = value
    return response


def _storage_unavailable(request: HttpRequest, certificate: Certificate) -> HttpResponseBase:
    logger.exception("Certificate %s: file store unavailable", certificate.number)
    response = render(
        request,
        "certificates/storage_unavailable.html",
        {"number": certificate.number, "retry_after": RETRY_AFTER_SECONDS},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@login_required
@require_safe
def view_pdf(request: HttpRequest, facility_id: int, number: str) -> HttpResponseBase:
    """The certificate PDF, shown in the browser (``inline``)."""
    return _serve(request, facility_id, number, attachment=False)


@login_required
@require_safe
def download_pdf(request: HttpRequest, facility_id: int, number: str) -> HttpResponseBase:
    """The certificate PDF as a file download (``attachment``)."""
    return _serve(request, facility_id, number, attachment=True)


@login_required
@require_safe
def download_original(request: HttpRequest, facility_id: int, number: str) -> HttpResponseBase:
    """The PDF exactly as issued, unstamped even when the certificate is void or superseded
    (the history page's "original as issued" link), as a file download."""
    return _serve(request, facility_id, number, attachment=True, original=True)
