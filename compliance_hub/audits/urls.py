"""Audit URLs, all under a facility the person is a member of."""

from django.urls import path

from compliance_hub.audits.views import listing, mapping, packet, resolve, result, upload

app_name = "audits"
urlpatterns = [
    path("facilities/<int:facility_id>/audits/", listing.audit_list, name="list"),
    path("facilities/<int:facility_id>/audits/new/", upload.upload, name="upload"),
    path(
        "facilities/<int:facility_id>/audits/new/<uuid:token>/",
        mapping.mapping,
        name="mapping",
    ),
    path(
        "facilities/<int:facility_id>/audits/<int:reconciliation_id>/",
        result.result,
        name="result",
    ),
    path(
        "facilities/<int:facility_id>/audits/<int:reconciliation_id>/rows/<int:line>/decide/",
        resolve.decide,
        name="decide",
    ),
    path(
        "facilities/<int:facility_id>/audits/<int:reconciliation_id>/rerun/",
        resolve.rerun,
        name="rerun",
    ),
    path(
        "facilities/<int:facility_id>/audits/<int:reconciliation_id>/estimate/",
        resolve.estimate,
        name="estimate",
    ),
    path(
        "facilities/<int:facility_id>/audits/<int:reconciliation_id>/packet.zip",
        packet.packet,
        name="packet",
    ),
]
