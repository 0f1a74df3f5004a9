"""Downloading the audit packet (a ZIP streamed as it is built)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from compliance_hub.activity.models import Activity
from compliance_hub.audits.reports.packet import packet_name, relied_on, stream_packet
from compliance_hub.audits.views.common import reconciliation_of
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.queries import portal_for


@login_required
@require_GET
def packet(request: HttpRequest, facility_id: int, reconciliation_id: int) -> StreamingHttpResponse:
    portal = portal_for(request.user, facility_id, auditor=True)  # shared ones: see common
    reconciliation = reconciliation_of(portal, reconciliation_id)
    include = portal.facility.bulk_download_enabled
    portal.record(  # an auditor's names the firm and the grant
        Activity.Verb.AUDIT_PACKET,
        ip=client_ip(request),
        target=f"reconciliation {reconciliation.pk}",
        detail={
            "reconciliation": reconciliation.pk,
            "certificates": len(relied_on(reconciliation)),
            "certificate_pdfs_included": include,
        },
    )
    response = StreamingHttpResponse(
        stream_packet(reconciliation, include), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{packet_name(reconciliation)}"'
    response["Cache-Control"] = "private, no-store"
    return response
