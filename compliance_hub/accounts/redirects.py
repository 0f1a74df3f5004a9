"""Where to go after signing in: only local paths of pages the hub actually has."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

# Pages that must never be a destination: the sign-in machinery itself.
_REFUSED_NAMESPACES = {"accounts"}
_REFUSED_NAMES = {
    "facilities:invitation_link",
    "facilities:invitation_accept",
    "facilities:invitation_renew",
}


def safe_next(value: str | None) -> str:
    """Return ``value`` if it is a local path of a known page, else ``""``.

    Refuses absolute and scheme-relative URLs, backslashes, control characters, dot segments,
    empty segments, unknown paths and the sign-in pages themselves.
    """
    if not value or len(value) > 500 or not value.startswith("/"):
        return ""
    if "\\" in value or any(ord(ch) < 33 or ord(ch) == 127 for ch in value):
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.fragment:
        return ""
    path = parts.path
    if "//" in path or any(seg in {".", ".."} for seg in path.split("/")):
        return ""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    if match.namespace in _REFUSED_NAMESPACES or match.view_name in _REFUSED_NAMES:
        return ""
    return value


def after_sign_in(value: str | None) -> str:
    """The validated ``next``, or ``/`` (home sends each person to the right place)."""
    return safe_next(value) or "/"
