"""Signing out of this browser, or everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from compliance_hub.accounts import services


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET: a page with both buttons. POST: end this session."""
    if request.method == "GET":
        return render(request, "accounts/sign_out.html")
    services.sign_out(request)
    messages.success(request, "You are signed out.")
    return redirect("accounts:sign_in")


@require_http_methods(["GET", "POST"])
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of this person, on every device."""
    if request.method == "GET":
        return render(request, "accounts/sign_out.html")
    if request.user.is_authenticated:
        services.sign_out_everywhere(request)
        messages.success(request, "You are signed out on every device.")
    return redirect("accounts:sign_in")
