"""The facility portal: certificate table, facility switcher, PDFs and certificate history."""

from django.urls import path, re_path

from compliance_hub.certificates.views import download, history, table

# A certificate number such as CH-7K3M-9QXP: letters and digits in dash-separated groups.
NUMBER = r"(?P<number>[A-Za-z0-9]{1,10}(?:-[A-Za-z0-9]{1,10}){1,3})"

urlpatterns = [
    path("facilities/switch/", table.switch, name="switch"),
    path("facilities/<int:facility_id>/certificates/", table.table, name="table"),
    path("facilities/<int:facility_id>/certificates/count/", table.count, name="count"),
    re_path(
        rf"^facilities/(?P<facility_id>[0-9]{{1,18}})/certificates/{NUMBER}/$",
        download.view_pdf,
        name="view",
    ),
    re_path(
        rf"^facilities/(?P<facility_id>[0-9]{{1,18}})/certificates/{NUMBER}/download/$",
        download.download_pdf,
        name="download",
    ),
    re_path(
        rf"^facilities/(?P<facility_id>[0-9]{{1,18}})/certificates/{NUMBER}/original/$",
        download.download_original,
        name="original",
    ),
    path(
        "facilities/<int:facility_id>/assignments/<int:assignment_id>/",
        history.history,
        name="history",
    ),
]
