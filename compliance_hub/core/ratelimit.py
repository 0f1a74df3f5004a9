"""Rate limits (fixed windows) and tallies kept in Django's cache (Redis in production, shared).

If the cache cannot be reached, nothing is counted and every event is allowed (the error is
logged): a limit must never turn an outage of the cache into server errors for everyone.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets


def _key(scope: str, subject: str, window: int, bucket: int) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"rl:{scope}:{window}:{bucket}:{digest}"


def _count(key: str, timeout: int) -> int:
    """Add one to the counter at ``key`` (created with ``timeout``); return its new value
    (0 when the cache is unreachable)."""
    try:
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=timeout)
            return 1
    except Exception:  # any backend's connection error: see the module's docstring
        log.exception("Rate-limit cache unreachable: event not counted")
        return 0


def _read(key: str) -> int:
    try:
        return int(cache.get(key, 0))
    except Exception:  # see the module's docstring
        log.exception("Rate-limit cache unreachable: read as 0")
        return 0


def hit(scope: str, subject: str, *, limit: int, window: int) -> Decision:
    """Count one event for ``subject`` in ``scope``; allowed while at most ``limit`` per window.

    ``subject`` (an address, an IP, a key id) is hashed before it reaches the cache.
    """
    now = int(time.time())
    bucket = now // window
    count = _count(_key(scope, subject, window, bucket), window + 5)
    retry_after = (bucket + 1) * window - now
    return Decision(count <= limit, count, limit, max(1, retry_after))


def tally(scope: str, subject: str, *, ttl: int, add: bool = True) -> int:
    """Count one event for ``subject`` (``add=False``: only look); return the count so far.

    Unlike ``hit``'s windows, a tally has no boundary that resets it: it lives ``ttl``
    seconds from its first event (for "three tries per code", say).
    """
    key = _key(scope, subject, ttl, 0)
    return _count(key, ttl) if add else _read(key)


def peek(scope: str, subject: str, *, window: int) -> int:
    """How many events ``subject`` has used in the current window."""
    bucket = int(time.time()) // window
    return _read(_key(scope, subject, window, bucket))
