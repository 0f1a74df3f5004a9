"""Operators see endpoints and deliveries (never a signing secret) and can redeliver."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from compliance_hub.webhooks import services
from compliance_hub.webhooks.models import WebhookDelivery, WebhookEndpoint


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly):
    list_display = ["url", "partner", "enabled", "failing_since", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "partner__name"]
    # The secrets are left out: they sign the partner's events.
    fields = (
        "partner",
        "url",
        "description",
        "event_types",
        "enabled",
        "disabled_at",
        "disabled_reason",
        "failing_since",
        "previous_secret_expires_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly):
    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
    ]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__public_id", "endpoint__url"]
    actions = ["redeliver"]
    fields = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "give_up_at",
        "delivered_at",
    )
    readonly_fields = fields

    @admin.display(description="event")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.type

    @admin.action(description="Redeliver now (one attempt)")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = 0
        for delivery in queryset.select_related("event"):
            try:
                services.redeliver(delivery, by=request.user)
            except ValidationError:
                continue  # its endpoint is disabled
            done += 1
        self.message_user(request, f"{done} delivery(ies) due again.", messages.SUCCESS)
