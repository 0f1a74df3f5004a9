"""Response headers Django 5.2 does not set itself: Content-Security-Policy, Permissions-Policy.

Every page is server-rendered and loads its scripts and styles from ``/static/`` only: no
inline ``<script>``, no ``style=`` attributes, no ``on…=`` handlers (tests/security checks the
templates). So the policy needs neither ``'unsafe-inline'`` nor nonces. ``data:`` images are
allowed for the API docs page (Swagger UI icons).

HTML gets the full policy. A PDF gets none: Chrome's built-in viewer counts as a plugin and
``object-src 'none'`` on the PDF itself would stop it from showing the certificate. Anything
else (JSON, CSV, ZIP) is never a document to run: ``default-src 'none'``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HTML_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def policy_for(content_type: str) -> str | None:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/pdf":
        return None
    if kind in ("text/html", "application/xhtml+xml", ""):
        return str(getattr(settings, "CONTENT_SECURITY_POLICY", HTML_POLICY))
    return OTHER_POLICY


class SecurityHeadersMiddleware:
    """Adds CSP and Permissions-Policy unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = policy_for(response.get("Content-Type", ""))
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
