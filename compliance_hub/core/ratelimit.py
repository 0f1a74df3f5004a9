"""Fixed-window rate limits kept in Django's cache (Redis in production, shared by processes)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets


def _key(scope: str, subject: str, window: int, bucket: int) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"rl:{scope}:{window}:{bucket}:{digest}"


def hit(scope: str, subject: str, *, limit: int, window: int) -> Decision:
    """Count one event for ``subject`` in ``scope``; allowed while at most ``limit`` per window.

    ``subject`` (an address, an IP, a key id) is hashed before it reaches the cache.
    """
    now = int(time.time())
    bucket = now // window
    key = _key(scope, subject, window, bucket)
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    retry_after = (bucket + 1) * window - now
    return Decision(count <= limit, count, limit, max(1, retry_after))


def peek(scope: str, subject: str, *, window: int) -> int:
    """How many events ``subject`` has used in the current window."""
    bucket = int(time.time()) // window
    return int(cache.get(_key(scope, subject, window, bucket), 0))
