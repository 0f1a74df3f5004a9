from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError

from compliance_hub.core.net import client_ip
from compliance_hub.facilities import invitations
from compliance_hub.facilities.forms import InvitationAdminForm
from compliance_hub.facilities.invitations import By
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
    actions = ["resend_invitations", "revoke_invitations"]

    # Adding goes through facilities.invitations.invite(): token, e-mail and activity included.
    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = InvitationAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["email", "name", "role", "facilities"]})]
        return super().get_fieldsets(request, obj)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = invitations.invite(
            email=obj.email,
            facilities=list(form.cleaned_data["facilities"]),
            role=obj.role,
            name=obj.name,
            by=By(actor=request.user, ip=client_ip(request)),
        )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description="Resend the selected invitations")
    def resend_invitations(self, request: Any, queryset: Any) -> None:
        self._each(request, queryset, invitations.resend)

    @admin.action(description="Revoke the selected invitations")
    def revoke_invitations(self, request: Any, queryset: Any) -> None:
        self._each(request, queryset, invitations.revoke)

    def _each(
        self, request: Any, queryset: Any, action: Callable[[Invitation, By], object]
    ) -> None:
        """``action`` by the operator on each invitation; a refusal is a message, not a stop."""
        for invitation in queryset:
            try:
                action(invitation, By(actor=request.user, ip=client_ip(request)))
            except ValidationError as exc:
                self.message_user(request, f"{invitation.email}: {' '.join(exc.messages)}", "error")
