"""The network bit: which webhook URLs the hub will call, and the one POST it makes.

Server-side request forgery rule: a webhook URL names a host on the public internet, by the
hub's one rule for outgoing requests (``core.net.public_addresses``: every address the name
resolves to is global unicast), unless ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` (local work,
tests). The request then goes to the address that was checked, never through a second
lookup that an attacker's DNS could answer differently (rebinding); TLS still verifies the
certificate for the host name. Redirects are not followed: a 3xx is a failed delivery.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from compliance_hub.core.net import AddressRefused, public_addresses

MAX_URL_LENGTH = 2000
EXCERPT_CHARS = 500
_READ_BYTES = 2048  # of the receiver's answer, for the delivery log; the rest is ignored


class TargetRefused(ValueError):
    """The URL may not be called; the message says why, in words for the partner."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


@dataclass(frozen=True)
class Answer:
    """What came back: an HTTP status, or ``status`` None and an ``error``."""

    status: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def parse(url: str) -> Target:
    """The parts of an acceptable webhook URL; ``TargetRefused`` for anything else."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"Use at most {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url) or not url.isascii():
        raise TargetRefused("Enter the URL without spaces; encode other characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("Enter a valid URL.") from None
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused("Use an https:// URL.")
    if not parts.hostname:
        raise TargetRefused("Enter a URL with a host name.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Leave user names and passwords out of the URL.")
    if parts.fragment:
        raise TargetRefused("Leave the #fragment out of the URL.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default, path)


def resolve(target: Target) -> list[str]:
    """The addresses to connect to, checked by the hub's one rule (``core.net``);
    ``TargetRefused`` if the host may not be called."""
    try:
        return public_addresses(
            target.host, target.port, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS
        )
    except AddressRefused as exc:
        raise TargetRefused(str(exc)) from None


def check(url: str) -> Target:
    """Validate ``url`` for registration: syntax, scheme and where its host points."""
    target = parse(url)
    resolve(target)
    return target


class _PinnedHTTP(http.client.HTTPConnection):
    """Speaks to the first of ``addresses`` (already checked) that answers, while naming
    ``host`` in the Host header (and, over TLS, in SNI and the certificate check)."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses
        self.aborted = False

    def _open(self) -> socket.socket:
        error: OSError | None = None
        for address in self.addresses:  # IP literals: no further lookup
            try:
                return socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                error = exc
        assert error is not None
        raise error

    def connect(self) -> None:
        self.sock = self._open()

    def abort(self) -> None:
        """End the exchange now, from another thread: a blocked send or read returns."""
        self.aborted = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self) -> None:
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self._open(), server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url`` once, checking the target first; never raises for network
    trouble (the answer says what happened)."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = parse(url)
        addresses = resolve(target)
    except TargetRefused as exc:
        return Answer(None, elapsed(), error=f"Refused: {exc}"[:300])
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target.host, target.port, addresses, timeout)
    # The timeout bounds each socket operation; a receiver dripping a byte at a time would
    # keep the worker (and the mail behind it) indefinitely. The whole exchange gets a
    # deadline too: twice the timeout, then the socket is shut.
    deadline = threading.Timer(2 * timeout, connection.abort)
    deadline.daemon = True
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read(_READ_BYTES)
        status = response.status
    except TimeoutError:
        return Answer(None, elapsed(), error=f"Timed out after {timeout} s")
    except (OSError, http.client.HTTPException) as exc:
        if connection.aborted:
            return Answer(None, elapsed(), error=f"Timed out after {2 * timeout} s in all")
        return _failed(exc, elapsed())
    finally:
        deadline.cancel()
        connection.close()
    if connection.aborted:  # cut short: what was read may look like a whole answer
        return Answer(None, elapsed(), error=f"Timed out after {2 * timeout} s in all")
    excerpt = raw.decode("utf-8", "replace")
    excerpt = "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in excerpt)
    error = ""
    if 300 <= status < 400:
        error = f"Redirect ({status}) not followed"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return Answer(status, elapsed(), excerpt[:EXCERPT_CHARS], error)


def _failed(exc: Exception, latency_ms: int) -> Answer:
    """The answer for a request that got no HTTP answer, in words for the delivery log."""
    if isinstance(exc, ConnectionRefusedError):
        return Answer(None, latency_ms, error="Connection refused")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Answer(None, latency_ms, error=f"TLS error: {exc.verify_message or exc}"[:300])
    if isinstance(exc, ssl.SSLError):
        return Answer(None, latency_ms, error=f"TLS error: {exc.reason or exc}"[:300])
    return Answer(None, latency_ms, error=f"{type(exc).__name__}: {exc}"[:300])
