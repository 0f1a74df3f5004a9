"""Auditor access pages, under a facility (its primary contacts)."""

from django.urls import path

from compliance_hub.auditors import views

app_name = "auditors"
urlpatterns = [
    path("facilities/<int:facility_id>/auditors/", views.facility, name="facility"),
    path("facilities/<int:facility_id>/auditors/grant/", views.grant, name="grant"),
    path(
        "facilities/<int:facility_id>/auditors/<int:grant_id>/revoke/",
        views.revoke,
        name="revoke",
    ),
]
