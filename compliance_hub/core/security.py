"""Response headers Django 5.2 does not set itself: Content-Security-Policy, Permissions-Policy,
and ``Cache-Control: no-store`` on everything a signed-in person or an API key is sent.

Every page is server-rendered and loads its scripts and styles from ``/static/`` only: no
inline ``<script>``, no ``style=`` attributes, no ``on…=`` handlers (tests/security checks the
templates). So the policy needs neither ``'unsafe-inline'`` nor nonces. ``data:`` images are
allowed for the API docs page (Swagger UI icons).

HTML gets the full policy. A PDF gets none: Chrome's built-in viewer counts as a plugin and
``object-src 'none'`` on the PDF itself would stop it from showing the certificate. Anything
else (JSON, CSV, ZIP) is never a document to run: ``default-src 'none'``.

What was sent to a signed-in person or an API key is not kept in a cache, where it would
outlive sign-out; static files (WhiteNoise answers before sign-in is read) keep theirs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

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


def is_private(request: HttpRequest, response: HttpResponse) -> bool:
    """The response was made for one signed-in person or API key, or starts or ends a session."""
    if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in response.cookies:
        return True
    user = getattr(request, "user", None)  # absent: answered before sign-in was read
    return settings.SESSION_COOKIE_NAME in request.COOKIES and bool(
        user is not None and user.is_authenticated
    )


class SecurityHeadersMiddleware:
    """Adds CSP and Permissions-Policy unless a view set its own; private answers: no-store."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = policy_for(response.get("Content-Type", ""))
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_private(request, response):
            add_never_cache_headers(response)
        return response
