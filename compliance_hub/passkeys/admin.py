"""Operators see people's passkeys (for support) and may delete one; nobody adds one here:
a passkey is made only by its person's authenticator."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from compliance_hub.passkeys.models import Passkey


@admin.register(Passkey)
class PasskeyAdmin(admin.ModelAdmin):
    list_display = ("person", "name", "created_at", "last_used_at")
    search_fields = ("person__email", "name")
    list_select_related = ("person",)
    readonly_fields = (
        "person",
        "name",
        "credential_id",
        "sign_count",
        "transports",
        "created_at",
        "last_used_at",
    )
    exclude = ("public_key", "user_handle")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
