"""The "require passkey or single sign-on" rule, as it applies to one session.

A session is strong when it signed in with a passkey or single sign-on
(``accounts.services.STRONG_METHODS``), or when, after the e-mailed link, the person confirmed
with a passkey or set up their first one in it (``STEP_DONE``). Whether the person's
organisations require it is read once and kept in the session for
``STRONG_SIGN_IN_RECHECK`` seconds, so the certificate table pays no query for it on most
requests (and none at all once the session is strong).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from compliance_hub.accounts.services import SIGN_IN_METHOD, STRONG_METHODS
from compliance_hub.passkeys import queries

STEP_DONE = "hub_passkey_step"  # session key: confirmed with a passkey after the link
REQUIRED = "hub_strong_required"  # session key: [required, checked at (epoch seconds)]


def is_strong(request: HttpRequest) -> bool:
    session: Any = request.session
    return session.get(SIGN_IN_METHOD) in STRONG_METHODS or bool(session.get(STEP_DONE))


def is_required(request: HttpRequest) -> bool:
    """Whether the person's organisations require a strong sign-in (cached in the session)."""
    session: Any = request.session
    now = int(time.time())
    cached = session.get(REQUIRED)
    if (
        isinstance(cached, list)
        and len(cached) == 2
        and isinstance(cached[1], int)
        and now - cached[1] < settings.STRONG_SIGN_IN_RECHECK
    ):
        return bool(cached[0])
    required = request.user.pk is not None and queries.requires_strong(request.user.pk)
    session[REQUIRED] = [required, now]
    return required


def step_pending(request: HttpRequest) -> bool:
    """Signed in, required to use a passkey, and not done yet."""
    return request.user.is_authenticated and not is_strong(request) and is_required(request)


def remember_at_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: read the rule once, at sign-in, so that the pages after it
    pay nothing for it until ``STRONG_SIGN_IN_RECHECK`` passes."""
    if request is not None and hasattr(request, "session"):
        request.session[REQUIRED] = [queries.requires_strong(user.pk), int(time.time())]


def forget(request: HttpRequest) -> None:
    """Read the rule again on the next request (after this person changed it)."""
    request.session.pop(REQUIRED, None)


def mark_done(request: HttpRequest) -> None:
    request.session[STEP_DONE] = True
