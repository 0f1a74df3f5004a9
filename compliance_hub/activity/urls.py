"""The facility activity log (primary contacts). The partner console's page is under /partner/."""

from django.urls import path

from compliance_hub.activity.views import facility

app_name = "activity"
urlpatterns = [
    path("facilities/<int:facility_id>/activity/", facility.facility_log, name="facility"),
    path(
        "facilities/<int:facility_id>/activity/export.csv",
        facility.facility_export,
        name="facility_export",
    ),
]
