"""Container health check: exit 0 when the local web process answers ``GET /healthz`` with 200.

    python healthcheck.py [PATH]        (default /healthz; use /readyz to include DB + storage)

Sends a ``Host`` the hub accepts (the first of ``ALLOWED_HOSTS``), to ``127.0.0.1:$PORT``.
``/healthz`` and ``/readyz`` are exempt from the HTTPS redirect, so plain HTTP works.
Standard library only: it runs before (and without) Django.
"""

from __future__ import annotations

import http.client
import os
import sys


def probe_host() -> str:
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    port = int(os.environ.get("PORT", "8000") or 8000)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    try:
        connection.request("GET", path, headers={"Host": probe_host()})
        status = connection.getresponse().status
    except OSError as exc:
        print(f"healthcheck: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"healthcheck: {path} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
