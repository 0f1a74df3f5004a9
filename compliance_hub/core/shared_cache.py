"""Django's cache for values that are only a shortcut, used so that an outage of the cache
(Redis in production) never becomes a server error: a read finds nothing, a write or delete
is skipped, and the error is logged. Callers must be correct when every read misses (they
then ask the database, or refuse with a clear message).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache

log = logging.getLogger(__name__)


def get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except Exception:  # any backend's connection error: see the module's docstring
        log.exception("Cache unreachable: read of %s missed", key.split(":", 1)[0])
        return default


def set(key: str, value: Any, timeout: float | None) -> bool:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:  # see the module's docstring
        log.exception("Cache unreachable: %s not stored", key.split(":", 1)[0])
        return False
    return True


def add(key: str, value: Any, timeout: float | None) -> bool:
    try:
        return bool(cache.add(key, value, timeout=timeout))
    except Exception:  # see the module's docstring
        log.exception("Cache unreachable: %s not stored", key.split(":", 1)[0])
        return False


def delete(key: str) -> bool:
    """True if this call removed the key (False when it was not there, or on an outage)."""
    try:
        return bool(cache.delete(key))
    except Exception:  # see the module's docstring
        log.exception("Cache unreachable: %s not deleted", key.split(":", 1)[0])
        return False
