"""Heavy reads on a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``), never stale reads.

Rules, in the order ``PrimaryReplicaRouter.db_for_read`` applies them:

1. Every read goes to the primary (``default``) unless it runs inside an explicit
   ``heavy_reads()`` block (or a view decorated with ``heavy_read_view``): exports (CSV,
   XLSX), the bulk ZIP and its index, reconciliation matching, digests. Everything else,
   including every write, stays on the primary.
2. A client that wrote is pinned to the primary for ``REPLICA_PIN_SECONDS``: after any
   request with an unsafe method (POST, PUT, PATCH, DELETE) or an explicit ``pin()``, the
   browser gets a signed cookie with that lifetime, and a partner API key (which keeps no
   cookies) a cache entry under a hash of its key. Every request of an API write method is
   pinned as a whole. ``REPLICA_PIN_SECONDS`` is kept above ``REPLICA_MAX_LAG_SECONDS``, so
   when a pin ends the replica holds the write (a lagging replica is not used, rule 4).
3. Inside a transaction on the primary (``atomic``), reads stay on the primary: they may be
   locking reads or must see the transaction's own writes.
4. The replica is used only while it answers and its replay lag is at most
   ``REPLICA_MAX_LAG_SECONDS``: entering a heavy-read block probes it (one query: lag, or
   zero when it has replayed all WAL it received) at most every ``REPLICA_CHECK_SECONDS``; a
   failed connection or query marks it down for ``REPLICA_COOLDOWN_SECONDS``, during which
   the primary serves the heavy reads, with no error shown to anyone.

Without ``DATABASE_REPLICA_URL`` there is no ``replica`` alias, the middleware removes
itself and ``heavy_reads()`` changes nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase, StreamingHttpResponse

from compliance_hub.core import shared_cache

log = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# The pin cookie is signed with this salt (and SECRET_KEY), so a client cannot forge one
# for another purpose; its value is only "pinned" - a forged one would only add load to
# the primary.
PIN_SALT = "compliance_hub.core.replica.pin"
API_PREFIX = "/api/"

# Probe: the replay lag in seconds, or 0 when everything received has been replayed (an idle
# primary sends no new transactions, so the last replay time alone would look ever older).
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


def configured() -> bool:
    return REPLICA in settings.DATABASES


# --- per-request and per-block state ---------------------------------------------------


@dataclass
class _Request:
    """What the router needs from the current request (looked at only inside heavy reads)."""

    request: HttpRequest | None
    pinned_now: bool = False  # pin() was called, or an API write method
    _pinned: bool | None = field(default=None, repr=False)

    def pinned(self) -> bool:
        if self.pinned_now:
            return True
        if self._pinned is None:
            self._pinned = self.request is not None and _pinned_by_earlier_write(self.request)
        return self._pinned


# The request being served by this thread (or task). Set afresh at the start of every
# request and left in place, so a streamed body iterated after the view returns still sees
# its own request.
_current: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "replica_request", default=None
)
_heavy: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_heavy", default=False)


# --- replica health (per process) --------------------------------------------------------


class _Health:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.checked_at = -1e9
        self.usable = False

    def reset(self) -> None:
        with self.lock:
            self.down_until = 0.0
            self.checked_at = -1e9
            self.usable = False


_health = _Health()


def _seconds(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def replica_usable() -> bool:
    """Whether heavy reads may go to the replica now (answers, lag within the limit)."""
    if not configured():
        return False
    now = time.monotonic()
    with _health.lock:
        if now < _health.down_until:
            return False
        if now - _health.checked_at < _seconds("REPLICA_CHECK_SECONDS", 1):
            return _health.usable
    lag = _probe()
    now = time.monotonic()
    with _health.lock:
        _health.checked_at = now
        if lag is None:
            _health.usable = False
            _health.down_until = now + _seconds("REPLICA_COOLDOWN_SECONDS", 30)
        else:
            _health.usable = lag <= _seconds("REPLICA_MAX_LAG_SECONDS", 5)
            if not _health.usable:
                log.warning("replica lags %.1f s: heavy reads use the primary", lag)
        return _health.usable


def _probe() -> float | None:
    """The replica's replay lag in seconds, or None when it cannot be reached."""
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
        return float(row[0]) if row else 0.0
    except DatabaseError as exc:
        log.warning("replica unreachable (%s): heavy reads use the primary", exc)
        with contextlib.suppress(DatabaseError):
            replica.close()  # the next probe after the cooldown connects afresh
        return None


# --- the context and decorators ----------------------------------------------------------


def _use_replica() -> bool:
    if not _heavy.get():
        return False
    state = _current.get()
    if state is not None and state.pinned():
        return False
    if not transaction.get_autocommit(using=PRIMARY):
        return False  # inside atomic(): locking reads, or reads of its own writes
    return replica_usable()


@contextmanager
def heavy_reads() -> Iterator[None]:
    """Let the reads inside go to the replica (when there is one, it is healthy, and this
    client is not pinned to the primary). Writes inside still go to the primary."""
    token = _heavy.set(True)
    try:
        yield
    finally:
        _heavy.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads inside go to the primary even within a heavy-read block: for code that reads
    back what it has just written (e.g. an export rendering a pending certificate)."""
    token = _heavy.set(False)
    try:
        yield
    finally:
        _heavy.reset(token)


def read_alias(model: type) -> str:
    """The database alias a read of ``model`` made here would use (for raw cursors, e.g.
    PostgreSQL ``COPY``, which bypass the router)."""
    return REPLICA if _use_replica() else PRIMARY


def using_replica() -> bool:
    """Whether a read made here would go to the replica (for logs and tests)."""
    return _use_replica()


def _iterate_heavily(content: Iterator[Any]) -> Iterator[Any]:
    """Produce each chunk of a streamed body inside ``heavy_reads`` (the view has returned
    by the time the server iterates it)."""
    iterator = iter(content)
    while True:
        with heavy_reads():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])


def heavy_read_view(view: ViewT) -> ViewT:
    """Run a view, and the whole of a streamed response it returns, inside ``heavy_reads``.

    Wrap only the part that makes the data, called after access has been decided: who may see
    what (session, person, membership, grant) is never read from the replica, which may lag
    behind a revocation (see certificates/views/exports.py, tests/deploy/test_replica_rules.py).
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> HttpResponseBase:
        with heavy_reads():
            response = view(*args, **kwargs)
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            content = cast(Iterator[bytes], response.streaming_content)  # sync: checked
            response.streaming_content = _iterate_heavily(content)
        return response

    return wrapper  # type: ignore[return-value]


# --- pinning -------------------------------------------------------------------------------


def pin_seconds() -> int:
    return int(_seconds("REPLICA_PIN_SECONDS", 10))


def pin_cookie_name() -> str:
    return str(getattr(settings, "REPLICA_PIN_COOKIE", "hub-pin"))


def _api_key_id(request: HttpRequest) -> str | None:
    """A stable id for the API key of a request (a hash: the key itself is never stored)."""
    auth = request.headers.get("Authorization", "")
    if not auth or not request.path.startswith(API_PREFIX):
        return None
    return "replica-pin:" + hashlib.sha256(auth.encode("utf-8", "replace")).hexdigest()[:40]


def _pinned_by_earlier_write(request: HttpRequest) -> bool:
    key = _api_key_id(request)
    if key is not None:
        return bool(shared_cache.get(key))
    value = request.get_signed_cookie(
        pin_cookie_name(), default=None, salt=PIN_SALT, max_age=pin_seconds()
    )
    return value is not None


def pin(request: HttpRequest | None = None) -> None:
    """Pin this client to the primary: now, and for ``REPLICA_PIN_SECONDS`` after this
    response. Call it after a write made in a GET that a heavy read may read back."""
    state = _current.get()
    if state is not None and (request is None or state.request is request):
        state.pinned_now = True
        if state.request is not None:
            state.request.META["hub.replica_pin"] = True


class ReplicaMiddleware:
    """Sets up pinning for each request; removes itself when no replica is configured."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not configured():
            raise MiddlewareNotUsed("no DATABASE_REPLICA_URL")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api_write = request.method not in SAFE_METHODS and _api_key_id(request) is not None
        _current.set(_Request(request, pinned_now=api_write))
        response = self.get_response(request)
        if request.method not in SAFE_METHODS or request.META.get("hub.replica_pin"):
            self._pin_next(request, response)
        return response

    def _pin_next(self, request: HttpRequest, response: HttpResponse) -> None:
        seconds = pin_seconds()
        key = _api_key_id(request)
        if key is not None:
            shared_cache.set(key, 1, seconds)
            return
        response.set_signed_cookie(
            pin_cookie_name(),
            "1",
            salt=PIN_SALT,
            max_age=seconds,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


class PrimaryReplicaRouter:
    """Reads go to the replica only as the module's rules allow; writes always to the primary.

    Reads outside heavy-read blocks name the primary explicitly (not ``None``): an object
    loaded from the replica would otherwise route its later lazy reads and its ``save()``
    by its own database."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return REPLICA if _use_replica() else PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY  # the replica follows the primary's schema by replication
