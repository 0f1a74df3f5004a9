"""Sends a person whose organisation requires a passkey or single sign-on, and who came in
with the e-mailed link, to the passkey step before any facility or console page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from compliance_hub.passkeys import policy

# What a person may still reach before the step: signing in and out, and the step itself
# (its ceremonies). Everything else (facility pages, the console, invitations, the admin)
# waits.
_OPEN_NAMESPACES = {"accounts"}
_OPEN_VIEWS = {
    "passkeys:required",
    "passkeys:register_options",
    "passkeys:register",
    "passkeys:confirm_options",
    "passkeys:confirm",
    "passkeys:sign_in_options",
    "passkeys:sign_in",
    # Single sign-on is itself a strong way in: its return leg must reach the hub.
    "sso:callback",
    "sso:email_link",
    "healthz",
    "readyz",
}


class StrongSignInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated or policy.is_strong(request):
            return None  # the cheap path: no query
        match = request.resolver_match
        if match is None or match.namespace in _OPEN_NAMESPACES or match.view_name in _OPEN_VIEWS:
            return None
        if not policy.is_required(request):
            return None
        url = reverse("passkeys:required")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
