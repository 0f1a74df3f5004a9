"""Session lifetime: an idle timeout and an absolute one, both enforced on every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from compliance_hub.accounts.sessions import AUTH_AT, SEEN_AT

# Refresh "last seen" at most this often, so a busy session is not written on every request.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Sign the person out once ``SESSION_IDLE_TIMEOUT`` or ``SESSION_ABSOLUTE_TIMEOUT`` passed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session: Any = request.session
        now = int(time.time())
        auth_at = _int(session.get(AUTH_AT))
        seen_at = _int(session.get(SEEN_AT)) or auth_at
        if auth_at is None or seen_at is None:
            session[AUTH_AT] = session[SEEN_AT] = now
            return
        idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT
        too_old = now - auth_at > settings.SESSION_ABSOLUTE_TIMEOUT
        if idle or too_old:
            logout(request)
            messages.info(
                request, "Your session ended. Sign in again to carry on.", fail_silently=True
            )
        elif now - seen_at >= SEEN_RESOLUTION:
            session[SEEN_AT] = now


def mark_signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: start both session clocks."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[AUTH_AT] = now
        request.session[SEEN_AT] = now


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) else None
