from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from compliance_hub.accounts.models import Person, SignInToken
from compliance_hub.accounts.redirects import safe_next
from compliance_hub.facilities.models import Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "person"
    extra = 0
    fields = ["facility", "role", "created_at", "revoked_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["facility"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["email", "name"]
    fields = ["email", "name", "is_active", "is_staff", "is_superuser", "date_joined", "last_login"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [MembershipInline]


def operator_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's login page: operators have no password, so send them to the e-mail sign-in."""
    destination = safe_next(request.GET.get("next")) or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(destination)
        return render(request, "accounts/not_operator.html", status=403)
    return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': destination})}")


admin.site.login = operator_login  # type: ignore[method-assign]


@admin.register(SignInToken)
class SignInTokenAdmin(admin.ModelAdmin):
    """Issued links, for support: who, what for, when used. Only hashes exist; nothing to copy."""

    list_display = ["email", "purpose", "created_at", "expires_at", "used_at"]
    list_filter = ["purpose"]
    search_fields = ["email"]
    fields = (
        "email",
        "purpose",
        "person",
        "invitation",
        "created_at",
        "expires_at",
        "used_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
