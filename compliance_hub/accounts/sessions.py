"""Session keys and the same-browser cookie used by sign-in."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PENDING_LINK = "hub_link"  # SHA-256 of the link token opened in this browser
SIGN_IN_EMAIL = "hub_sign_in_email"  # the address typed on the sign-in form (for the next page)
CODE_TRIES = "hub_code_tries"  # wrong codes typed in this session
AUTH_AT = "hub_auth_at"  # when this session signed in (epoch seconds)
SEEN_AT = "hub_seen_at"  # last request (epoch seconds, refreshed at most once a minute)

_BROWSER_VALUE = re.compile(r"^[A-Za-z0-9_\-]{43}$")


def browser_cookie_name() -> str:
    """``__Host-`` prefixed when cookies are Secure (production)."""
    return "__Host-hub_signin" if settings.SESSION_COOKIE_SECURE else "hub_signin"


def browser_value(request: HttpRequest) -> str | None:
    """The random value this browser holds while it waits for a sign-in link, if any."""
    value = request.COOKIES.get(browser_cookie_name(), "")
    return value if _BROWSER_VALUE.match(value) else None


def ensure_browser_value(request: HttpRequest) -> str:
    """The browser's current value, or a fresh random one."""
    return browser_value(request) or secrets.token_urlsafe(32)


def set_browser_cookie(response: HttpResponse, value: str) -> None:
    response.set_cookie(
        browser_cookie_name(),
        value,
        max_age=settings.SIGN_IN_LINK_TTL,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def clear_browser_cookie(response: HttpResponse) -> None:
    response.delete_cookie(browser_cookie_name(), path="/", samesite="Lax")


def private(response: HttpResponse) -> HttpResponse:
    """Headers for pages that handle tokens: never cached, never leak a Referer."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
