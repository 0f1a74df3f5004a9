"""The table's downloads: CSV, XLSX and the bulk ZIP of certificates (docs/exports.md)."""

from django.urls import path

from compliance_hub.certificates.views import exports

urlpatterns = [
    path(
        "facilities/<int:facility_id>/certificates/export.csv",
        exports.export_csv,
        name="export_csv",
    ),
    path(
        "facilities/<int:facility_id>/certificates/export.xlsx",
        exports.export_xlsx,
        name="export_xlsx",
    ),
    path(
        "facilities/<int:facility_id>/certificates/bulk.zip",
        exports.bulk_download,
        name="bulk_download",
    ),
]
