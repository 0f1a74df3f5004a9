from django.contrib import admin

from compliance_hub.facilities.models import (
    CoverageLine,
    Facility,
    Insurer,
    Invitation,
    Membership,
    Partner,
    PartnerStaff,
)


class InsurerInline(admin.TabularInline):
    model = Insurer
    extra = 0


class CoverageLineInline(admin.StackedInline):
    model = CoverageLine
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "producer_name", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [InsurerInline, CoverageLineInline]


@admin.register(PartnerStaff)
class PartnerStaffAdmin(admin.ModelAdmin):
    list_display = ["person", "partner", "created_at"]
    autocomplete_fields = ["person", "partner"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "external_id", "city", "bulk_download_enabled"]
    list_filter = ["partner", "bulk_download_enabled"]
    search_fields = ["name", "external_id", "city"]
    list_select_related = ["partner"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "facility", "role", "created_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["person__email", "facility__name"]
    autocomplete_fields = ["person", "facility", "invited_by", "revoked_by"]
    list_select_related = ["person", "facility"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email"]
    filter_horizontal = ["facilities"]
    autocomplete_fields = ["invited_by", "accepted_by"]
