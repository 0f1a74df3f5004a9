from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from compliance_hub.mailer import services
from compliance_hub.mailer.models import OutboundEmail


class ProblemFilter(admin.SimpleListFilter):
    title = "delivery problems"
    parameter_name = "problem"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Failed or being retried")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> Any:
        if self.value() == "yes":
            return queryset.exclude(status=OutboundEmail.Status.SENT).filter(attempts__gt=0)
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox: operators see what is waiting, what was sent and what failed (and why)."""

    list_display = [
        "created_at",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "error",
    ]
    list_filter = [ProblemFilter, "status", "template"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    fields = (
        "to",
        "subject",
        "template",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "message_id",
        "sensitive",
        "headers",
        "body_text",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="last error")
    def error(self, obj: OutboundEmail) -> str:
        return obj.last_error[:80]

    @admin.action(description="Retry the selected messages now")
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        count = services.retry_now(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} message(s) queued to be sent again.", messages.SUCCESS)
