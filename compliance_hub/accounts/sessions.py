"""Session keys, and the two signed cookies sign-in keeps for a browser not signed in.

Nothing is stored on the server for an anonymous visitor (docs/sign-in.md): ``hub_signin``
says this browser asked for a link, ``hub_known`` that it signed in as an address before.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.crypto import constant_time_compare, salted_hmac

from compliance_hub.accounts.models import normalize_email

PENDING_LINK = "hub_link"  # SHA-256 of a real link token opened in this browser
AUTH_AT = "hub_auth_at"  # when this session signed in (epoch seconds)
SEEN_AT = "hub_seen_at"  # last request (epoch seconds, refreshed at most once a minute)

_ASKING_SALT = "compliance_hub.accounts.asking"
_KNOWN_SALT = "compliance_hub.accounts.known"
KNOWN_MAX_AGE = 400 * 24 * 3600  # browsers keep a cookie at most 400 days


@dataclass(frozen=True)
class Asking:
    """The ``hub_signin`` cookie's content."""

    browser: str  # random; its SHA-256 is on the links asked for here (same-browser, code)
    nonce: str  # new at every request for a link: keys the wrong-code tally
    email: str = ""  # as typed, for the "check your e-mail" page; empty after "new link"


def _cookie_name(base: str) -> str:
    """``__Host-`` prefixed when cookies are Secure (production)."""
    return f"__Host-{base}" if settings.SESSION_COOKIE_SECURE else base


def asking(request: HttpRequest) -> Asking | None:
    """What this browser asked for, if it holds a valid, unexpired ``hub_signin`` cookie."""
    try:
        data = signing.loads(
            request.COOKIES.get(_cookie_name("hub_signin"), ""),
            salt=_ASKING_SALT,
            max_age=settings.SIGN_IN_LINK_TTL,
        )
        return Asking(**data)
    except (signing.BadSignature, TypeError):
        return None


def ask_again(request: HttpRequest, email: str = "") -> Asking:
    """The cookie for a new request: the browser's value kept (its earlier links still sign
    it in), a new nonce (a fresh set of code tries)."""
    current = asking(request)
    return Asking(
        browser=current.browser if current else secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(16),
        email=email,
    )


def set_asking(response: HttpResponse, state: Asking) -> None:
    response.set_cookie(
        _cookie_name("hub_signin"),
        signing.dumps(asdict(state), salt=_ASKING_SALT),
        max_age=settings.SIGN_IN_LINK_TTL,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _address_mac(email: str) -> str:
    return salted_hmac(_KNOWN_SALT, normalize_email(email)).hexdigest()


def recognises(request: HttpRequest, email: str) -> bool:
    """Whether this browser signed in as ``email`` before (its ``hub_known`` cookie)."""
    value = request.get_signed_cookie(
        _cookie_name("hub_known"), default=None, salt=_KNOWN_SALT, max_age=KNOWN_MAX_AGE
    )
    return value is not None and constant_time_compare(value, _address_mac(email))


def signed_in(email: str, destination: str) -> HttpResponse:
    """The answer to a successful sign-in: go on, forget the request, remember the address."""
    response = private(redirect(destination))
    response.delete_cookie(_cookie_name("hub_signin"), path="/", samesite="Lax")
    response.set_signed_cookie(
        _cookie_name("hub_known"),
        _address_mac(email),
        salt=_KNOWN_SALT,
        max_age=KNOWN_MAX_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def private(response: HttpResponse) -> HttpResponse:
    """Headers for pages that handle tokens: never cached, never leak a Referer."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
