"""Helpers shared by the audit views: the facility's reconciliations and the person's uploads.

Every audit view first scopes the facility with ``facilities.queries.portal_for``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from compliance_hub.audits.models import PendingUpload, Reconciliation
from compliance_hub.facilities.queries import Portal


def reconciliation_of(portal: Portal, reconciliation_id: int) -> Reconciliation:
    """One of the portal's facility's reconciliations, else 404 (also for another's id);
    for an auditor, only one the facility shared with their grant."""
    return get_object_or_404(
        shared_with(portal, Reconciliation.objects.select_related("facility", "facility__partner")),
        pk=reconciliation_id,
        facility=portal.facility,
    )


def shared_with(
    portal: Portal, reconciliations: QuerySet[Reconciliation]
) -> QuerySet[Reconciliation]:
    """``reconciliations`` as the portal may see them: all for members; for an auditor,
    those shared with their grant (``auditors.AuditorGrant.reconciliations``)."""
    if portal.is_auditor:
        return reconciliations.filter(auditor_grants=portal.grant)
    return reconciliations


def upload_of(portal: Portal, token: object) -> PendingUpload:
    """The person's own pending upload at the portal's facility, else 404."""
    return get_object_or_404(
        PendingUpload.objects.select_related("facility"),
        token=token,
        facility=portal.facility,
        person=portal.person,
    )
