"""Helpers shared by the audit views: the facility's reconciliations and the person's uploads.

Every audit view first scopes the facility with ``facilities.queries.portal_for``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from compliance_hub.audits.models import PendingUpload, Reconciliation
from compliance_hub.facilities.queries import Portal


def reconciliation_of(portal: Portal, reconciliation_id: int) -> Reconciliation:
    """One of the portal's facility's reconciliations, else 404 (also for another's id)."""
    return get_object_or_404(
        Reconciliation.objects.select_related("facility", "facility__partner"),
        pk=reconciliation_id,
        facility=portal.facility,
    )


def upload_of(portal: Portal, token: object) -> PendingUpload:
    """The person's own pending upload at the portal's facility, else 404."""
    return get_object_or_404(
        PendingUpload.objects.select_related("facility"),
        token=token,
        facility=portal.facility,
        person=portal.person,
    )
