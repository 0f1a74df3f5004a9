"""Network helpers: the client's address as the deployment sees it, and the one rule for
which addresses the hub's own outgoing requests may reach."""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.http import HttpRequest
from requests import PreparedRequest, Response, Session
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError


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


# --- outgoing requests: the one "public address" rule ------------------------------------
#
# Server-side request forgery rule, for every request the hub makes to an address someone
# typed (webhook URLs, single sign-on issuers): the host name is resolved once, every address
# it resolves to must be global unicast (no private, loopback, link-local, multicast, reserved
# or unspecified address, IPv4 or IPv6, an IPv4 address inside an IPv6 one included), and the
# connection goes to an address that was checked, never through a second lookup an attacker's
# DNS could answer differently (rebinding). TLS still verifies the certificate for the name.


class AddressRefused(ValueError):
    """The host may not be called; the message says why, in words for whoever typed it."""


def forbidden(address: str) -> bool:
    """Not a global unicast address: private, loopback, link-local, multicast, reserved,
    unspecified, shared (carrier NAT), or an IPv4 one of those inside IPv6."""
    ip = ipaddress.ip_address(address.partition("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and forbidden(str(embedded)):
            return True
    return (
        not ip.is_global
        or ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


def public_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses ``host`` resolves to, all checked (``allow_private``: local work and
    tests only); ``AddressRefused`` if it does not resolve or any address is not public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise AddressRefused(f"The host name {host} does not resolve.") from None
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise AddressRefused(f"The host name {host} does not resolve.")
    # Every answer is checked, not only the first: a mixed answer could be tried in turn.
    if not allow_private and any(forbidden(a) for a in addresses):
        raise AddressRefused(
            "The URL's host is a private, loopback or link-local address; "
            "use a host on the public internet."
        )
    return list(dict.fromkeys(addresses))


class PinnedAdapter(HTTPAdapter):
    """A ``requests`` transport that applies the rule above to each request: it resolves and
    checks the URL's host (``public_addresses``) and connects to a checked address, while
    the Host header, TLS SNI and the certificate check still name the host. No proxy (a
    proxy would make its own lookup) and no retries; redirects are the session's business
    (``pinned_session`` follows none)."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(max_retries=0)
        self.allow_private = allow_private
        self._pinned = threading.local()

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(request.url or "")
        if not parts.hostname:
            raise AddressRefused("Enter a URL with a host name.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = public_addresses(parts.hostname, port, allow_private=self.allow_private)
        request.headers["Host"] = parts.netloc.rpartition("@")[2]
        kwargs["proxies"] = {}
        error: requests.ConnectionError | None = None
        for address in addresses:  # the next one only if this one could not be connected to
            self._pinned.address = address
            try:
                return super().send(request, *args, **kwargs)
            except requests.ConnectionError as exc:
                if not _not_connected(exc):
                    raise
                error = exc
            finally:
                self._pinned.address = None
        assert error is not None
        raise error

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        address = getattr(self._pinned, "address", None)
        if address is None:  # only send() opens connections, with an address it checked
            raise AddressRefused("No checked address to connect to.")
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]
        host_params["host"] = address  # an IP literal: urllib3 makes no further lookup
        return host_params, pool_kwargs


def _not_connected(exc: requests.ConnectionError) -> bool:
    """The connection was never made (so nothing was sent): another address may be tried."""
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(exc, requests.ConnectTimeout) or isinstance(reason, NewConnectionError)


def pinned_session(*, allow_private: bool, session: Session | None = None) -> Session:
    """``session`` (a new ``requests.Session`` by default) sending every request through a
    ``PinnedAdapter`` and following no redirect: a 3xx raises ``TooManyRedirects`` rather
    than lead the request somewhere that was not checked."""
    session = session if session is not None else Session()
    adapter = PinnedAdapter(allow_private=allow_private)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.trust_env = False  # no proxies or .netrc from the environment
    session.max_redirects = 0
    return session
