"""Helpers shared by the audit views: who is asking, and which facility."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from compliance_hub.accounts.models import Person
from compliance_hub.audits.models import PendingUpload, Reconciliation
from compliance_hub.facilities.models import Facility
from compliance_hub.facilities.queries import facility_for


def person_of(request: HttpRequest) -> Person:
    assert isinstance(request.user, Person)
    return request.user


def facility_of(request: HttpRequest, facility_id: int) -> Facility:
    """The facility if the person is a member, else 404."""
    return facility_for(request.user, facility_id)


def reconciliation_of(facility: Facility, reconciliation_id: int) -> Reconciliation:
    """One of the facility's reconciliations, else 404 (also for another facility's id)."""
    return get_object_or_404(
        Reconciliation.objects.select_related("facility", "facility__partner"),
        pk=reconciliation_id,
        facility=facility,
    )


def upload_of(request: HttpRequest, facility: Facility, token: object) -> PendingUpload:
    """The person's own pending upload at this facility, else 404."""
    return get_object_or_404(
        PendingUpload.objects.select_related("facility"),
        token=token,
        facility=facility,
        person=person_of(request),
    )
