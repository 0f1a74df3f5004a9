"""The "require passkey or single sign-on" rule, as it applies to one session.

A session is strong when it signed in with a passkey or single sign-on
(``accounts.services.STRONG_METHODS``), or when, after the e-mailed link, the person confirmed
with a passkey or set up their first one in it (``STEP_DONE``). Whether the person's
organisations require it is read once and kept in the session for
``STRONG_SIGN_IN_RECHECK`` seconds, so the certificate table pays no query for it on most
requests (and none at all once the session is strong).

A kept "not required" is trusted only while the person's access stamp (in the shared cache)
is the one read with it: gaining access anywhere (a membership, an auditor grant, a staff
role) replaces the stamp, so the next request reads the rule again instead of opening a
requiring facility with the link alone. That costs one cache read per request of a weak
session, no query.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from compliance_hub.accounts.services import SIGN_IN_METHOD, STRONG_METHODS
from compliance_hub.core import shared_cache
from compliance_hub.passkeys import queries

STEP_DONE = "hub_passkey_step"  # session key: confirmed with a passkey after the link
REQUIRED = "hub_strong_required"  # session key: [required, checked at (epoch s), access stamp]


def is_strong(request: HttpRequest) -> bool:
    session: Any = request.session
    return session.get(SIGN_IN_METHOD) in STRONG_METHODS or bool(session.get(STEP_DONE))


def _stamp_key(person_id: int) -> str:
    return f"passkeys:access:{person_id}"


def _stamp(person_id: int) -> str:
    """The person's current access stamp, made if the cache has none (first use, evicted)."""
    key = _stamp_key(person_id)
    stamp = shared_cache.get(key)
    if not isinstance(stamp, str):
        shared_cache.add(key, secrets.token_hex(8), timeout=settings.SESSION_ABSOLUTE_TIMEOUT)
        stamp = shared_cache.get(key)
    return stamp if isinstance(stamp, str) else ""


def _read(person_id: int) -> list[Any]:
    # The stamp is read before the rule: access gained in between replaces it, so this
    # reading is not trusted past the next request.
    stamp = _stamp(person_id)
    return [queries.requires_strong(person_id), int(time.time()), stamp]


def is_required(request: HttpRequest) -> bool:
    """Whether the person's organisations require a strong sign-in (cached in the session)."""
    session: Any = request.session
    person_id = request.user.pk
    if person_id is None:
        return False
    cached = session.get(REQUIRED)
    if (
        isinstance(cached, list)
        and len(cached) == 3
        and isinstance(cached[1], int)
        and int(time.time()) - cached[1] < settings.STRONG_SIGN_IN_RECHECK
    ):
        if cached[0] is True:
            return True
        # "Not required" holds only while no access was gained since (the stamp is the same).
        if cached[2] and shared_cache.get(_stamp_key(person_id)) == cached[2]:
            return False
    session[REQUIRED] = reading = _read(person_id)
    return bool(reading[0])


def step_pending(request: HttpRequest) -> bool:
    """Signed in, required to use a passkey, and not done yet."""
    return request.user.is_authenticated and not is_strong(request) and is_required(request)


def remember_at_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: read the rule once, at sign-in, so that the pages after it
    pay nothing for it until ``STRONG_SIGN_IN_RECHECK`` passes."""
    if request is not None and hasattr(request, "session"):
        request.session[REQUIRED] = _read(user.pk)


def access_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save`` receiver for memberships, auditor grants and staff roles: the person's
    sessions read the rule again on their next request. The stamp goes now and again after
    commit (a request that read the rule before the commit must not keep its answer)."""
    key = _stamp_key(instance.person_id)
    shared_cache.delete(key)
    transaction.on_commit(lambda: shared_cache.delete(key))


def forget(request: HttpRequest) -> None:
    """Read the rule again on the next request (after this person changed it)."""
    request.session.pop(REQUIRED, None)


def mark_done(request: HttpRequest) -> None:
    request.session[STEP_DONE] = True
