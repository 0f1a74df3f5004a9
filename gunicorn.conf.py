"""Gunicorn settings for Compliance Hub (``gunicorn -c gunicorn.conf.py``).

Every value can be overridden from the environment (docs/deploy.md):

- ``PORT`` / ``GUNICORN_BIND``: where to listen (``0.0.0.0:$PORT``; default ``127.0.0.1:8000``).
- ``WEB_CONCURRENCY`` / ``GUNICORN_WORKERS``: worker processes (default: usable CPUs, at least 2).
- ``GUNICORN_THREADS``: threads per worker (default 4). Threads let a worker keep serving
  while some of them stream a large ZIP or CSV to a slow client.
- ``GUNICORN_TIMEOUT`` (default 300), ``GUNICORN_GRACEFUL_TIMEOUT`` (default 120),
  ``GUNICORN_KEEPALIVE`` (default 5), ``GUNICORN_MAX_REQUESTS`` (default 0: never recycle).
- ``TRUSTED_PROXY_COUNT`` / ``FORWARDED_ALLOW_IPS``: whose ``X-Forwarded-*`` headers count.

The access log is off here: the hub writes its own access line per request, with the request
id and secrets redacted (compliance_hub/core/middleware.py). Gunicorn's own messages go to
stderr as JSON lines like the hub's (plain text when ``LOG_FORMAT=plain`` or ``DEBUG=1``).
"""

from __future__ import annotations

import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number, not {raw!r}") from exc


def usable_cpus() -> int:
    """CPUs this process may use: affinity mask and a cgroup v2 quota (containers) respected."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, -(-int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


_port = os.environ.get("PORT", "").strip()
bind = [os.environ.get("GUNICORN_BIND") or (f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000")]
wsgi_app = "compliance_hub.wsgi:application"

# gthread: each worker runs a main loop (heartbeat, accepting) plus a thread pool. A request
# streaming for minutes occupies one thread, never the heartbeat, so ``timeout`` only ever
# kills a worker whose main loop is stuck; it is long anyway, to be safe with slow storage.
worker_class = "gthread"
workers = _int("WEB_CONCURRENCY", _int("GUNICORN_WORKERS", max(2, usable_cpus())))
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 300)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 120)  # let running downloads finish
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max(0, max_requests // 10)
if Path("/dev/shm").is_dir():  # noqa: S108  # heartbeat files in memory, not on a possibly slow disk
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# X-Forwarded-Proto (the request's scheme) is believed only from the reverse proxies the hub
# was told about, the same peers whose X-Forwarded-For core/net.py client_ip() believes:
# TRUSTED_PROXY_COUNT=0 (default): nobody's. Otherwise from FORWARDED_ALLOW_IPS (addresses
# or networks, comma-separated; default this machine, 127.0.0.1 and ::1). ``*`` (anyone)
# lets a client choose its address: ``compliance-hub check --deploy`` refuses it.
if _int("TRUSTED_PROXY_COUNT", 0) > 0:
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
else:
    forwarded_allow_ips = ""

# Gunicorn 27 opens a control socket in the user's home by default; several instances of
# the hub (or a home-less system user) would collide, so it is off unless a path is given.
_control = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control:
    control_socket = _control
else:
    control_socket_disable = True

accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
_debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
if os.environ.get("LOG_FORMAT", "plain" if _debug else "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "compliance_hub.core.logging.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["error_console"], "level": loglevel.upper()},
            "gunicorn.access": {"handlers": [], "propagate": False},
        },
    }
