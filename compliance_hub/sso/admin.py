"""Operators see every provider and its domains (the client secret never), and verify a
domain once they have checked that the organisation owns it (docs/sign-in.md)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from compliance_hub.core.net import client_ip
from compliance_hub.sso import services
from compliance_hub.sso.models import IdentityProvider, ProviderDomain


class DomainInline(admin.TabularInline):
    model = ProviderDomain
    extra = 0
    fields = ("domain", "txt_name", "txt_value", "verified_at", "verified_by")
    readonly_fields = ("txt_name", "txt_value", "verified_at", "verified_by")


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


@admin.register(ProviderDomain)
class ProviderDomainAdmin(admin.ModelAdmin):
    """Verifying is this list's action: check the TXT record first (``dig +short TXT
    <txt_name>`` must print ``txt_value``), then "Mark domain verified"."""

    list_display = ("domain", "owner", "txt_name", "txt_value", "verified_at", "verified_by")
    list_filter = (("verified_at", admin.EmptyFieldListFilter),)
    search_fields = ("domain", "provider__partner__name", "provider__facility__name")
    list_select_related = ("provider__partner", "provider__facility", "verified_by")
    fields = ("provider", "domain", "txt_name", "txt_value", "verified_at", "verified_by")
    readonly_fields = fields
    actions = ["mark_verified"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # listed by the organisation on its single sign-on page

    @admin.display(description="Organisation")
    def owner(self, domain: ProviderDomain) -> str:
        return domain.provider.owner_name

    @admin.display(description="TXT record")
    def txt_name(self, domain: ProviderDomain) -> str:
        return domain.txt_name

    @admin.display(description="Must hold")
    def txt_value(self, domain: ProviderDomain) -> str:
        return domain.txt_value

    @admin.action(description="Mark domain verified", permissions=["change"])
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        by = services.Actor(request.user, client_ip(request))  # type: ignore[arg-type]
        done = [d.domain for d in queryset if services.verify_domain(d, by=by)]
        if done:
            self.message_user(
                request,
                f"Verified: {', '.join(done)}. Addresses there now sign in with the provider.",
            )
        else:
            self.message_user(request, "Nothing to do: already verified.", "warning")
