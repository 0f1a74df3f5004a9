"""Request helpers that depend on how the hub is deployed."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _is_proxy(peer: str) -> bool:
    """The connection comes from one of the reverse proxies in ``FORWARDED_ALLOW_IPS``."""
    if "*" in settings.FORWARDED_ALLOW_IPS:  # check --deploy refuses this (core.E002)
        return True
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(entry, strict=False)
        for entry in settings.FORWARDED_ALLOW_IPS
    )


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's IP address.

    ``X-Forwarded-For`` is believed only through ``TRUSTED_PROXY_COUNT`` proxies in front of
    the hub (default 0: the header is ignored), the nearest of which must connect from an
    address in ``FORWARDED_ALLOW_IPS``. So a client cannot choose its own address.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0 and _is_proxy(remote):
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            remote = forwarded[-hops]
    try:
        # A zone (fe80::1%eth0) is not part of the address: databases refuse it.
        return str(ipaddress.ip_address(remote.partition("%")[0]))
    except ValueError:
        return None
