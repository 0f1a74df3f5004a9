"""Operator admin for API keys: see them, revoke them (create with the console or CLI)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from compliance_hub.core.net import client_ip
from compliance_hub.partner_api import keys
from compliance_hub.partner_api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "partner", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["partner", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "partner__name"]
    fields = readonly_fields = (
        "partner",
        "prefix",
        "name",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the key must be shown once: use `compliance-hub create-api-key`

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead; the key stays on record

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        done = sum(
            keys.revoke_key(key, by=request.user, ip=client_ip(request))
            for key in queryset.select_related("partner")
        )
        self.message_user(request, f"Revoked {done} key(s).", messages.SUCCESS)
