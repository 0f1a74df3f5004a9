from django.contrib import admin

from compliance_hub.certificates.models import Assignment, Certificate, Contractor
from compliance_hub.core.admin import ReadOnlyAdmin


@admin.register(Contractor)
class ContractorAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "external_id", "partner"]
    list_filter = ["partner"]
    search_fields = ["search_name", "email", "external_id"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Assignments change only through the partner API, so certificates follow every change."""

    list_display = [
        "contractor_name",
        "facility",
        "effective_date",
        "end_date",
        "status",
        "external_id",
    ]
    list_filter = ["status", "effective_date"]
    search_fields = ["external_id", "contractor_name"]
    list_select_related = ["facility"]
    show_full_result_count = False
    raw_id_fields = ["facility", "contractor", "current_certificate"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "issued_at", "sha256"]
    list_filter = ["status"]
    search_fields = ["number"]
    show_full_result_count = False
    raw_id_fields = ["assignment", "supersedes"]
