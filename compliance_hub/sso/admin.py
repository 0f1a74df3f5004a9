"""Operators see every provider and its domains (the client secret never)."""

from django.contrib import admin
from django.http import HttpRequest

from compliance_hub.sso.models import IdentityProvider, ProviderDomain


class DomainInline(admin.TabularInline):
    model = ProviderDomain
    extra = 0


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = ("issuer", "partner", "facility", "enabled", "updated_at")
    list_filter = ("enabled",)
    search_fields = ("issuer", "domains__domain", "partner__name", "facility__name")
    exclude = ("client_secret_encrypted",)
    readonly_fields = ("partner", "facility", "created_at", "updated_at", "updated_by")
    inlines = [DomainInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # set up by the organisation itself, which enters the client secret
