"""Deployment checks (``compliance-hub check --deploy``) for the rails the hub relies on.

Production runs several processes (gunicorn starts at least two workers; scaling adds
machines), so it needs a cache they share, period: a rate limit counted per process silently
becomes the limit times the number of processes.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.caches, checks.Tags.security, deploy=True)
def shared_cache(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [
        checks.Error(
            "Rate limits are counted in a cache each process keeps for itself, so every "
            "process allows the whole limit.",
            hint="Set CACHE_URL=redis://host:6379/0 (shared by every process).",
            id="core.E001",
        )
    ]


def _anyone(entry: str) -> bool:
    return entry == "*" or ipaddress.ip_network(entry, strict=False).prefixlen == 0


@checks.register(checks.Tags.security, deploy=True)
def forwarded_headers(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if not any(map(_anyone, settings.FORWARDED_ALLOW_IPS)):
        return []
    return [
        checks.Error(
            "FORWARDED_ALLOW_IPS lets any peer (* or 0.0.0.0/0) set X-Forwarded-For and "
            "X-Forwarded-Proto: a client can choose the IP address that rate limits and the "
            "activity log see.",
            hint="List your reverse proxies' addresses or networks, e.g. 10.0.0.5,10.0.1.0/24.",
            id="core.E002",
        )
    ]
