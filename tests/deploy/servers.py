"""Helpers for deployment tests: scratch PostgreSQL databases, hub commands, gunicorn processes.

These tests run the hub the way production does — separate processes, configured only by
environment variables — against the local PostgreSQL server (127.0.0.1:5432, user postgres)
and Redis (127.0.0.1:6379), whatever database the rest of the test run uses.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests import needs

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432"


def require_postgres() -> None:
    """Fail unless PostgreSQL answers on 127.0.0.1:5432."""
    import psycopg

    try:
        psycopg.connect(f"{PG}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        needs.missing("PostgreSQL at 127.0.0.1:5432", f"start it; it answered: {exc}")


def unique(name: str) -> str:
    """``name`` made private to this test process, so that parallel runs (pytest-xdist
    workers, or several test runs on one machine) never drop each other's databases."""
    return f"{name}_{os.getpid()}"


def free_ports(count: int) -> list[int]:
    """``count`` different TCP ports nobody listens on right now (for servers tests start)."""
    import socket

    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def recreate_database(name: str) -> str:
    """Drop and create database ``name``; return its DATABASE_URL."""
    import psycopg

    assert re.fullmatch(r"h_deploy\w*", name), name
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    assert re.fullmatch(r"h_deploy\w*", name), name
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, *params: object) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def production_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """A production-like environment (DEBUG off), nothing inherited but PATH/HOME/locale."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ")}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        LOG_FORMAT="json",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def hub(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run ``compliance-hub ARGS`` in a subprocess; return its stdout (raise on failure)."""
    result = subprocess.run(
        [str(BIN / "compliance-hub"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, f"compliance-hub {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: str


@dataclass
class Browser:
    """A tiny cookie-keeping HTTP client that can talk to any of several servers."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, port: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> Response:
        from urllib.parse import urlencode

        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
            set_cookies: dict[str, str] = {}
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    set_cookies[key] = rest.split(";", 1)[0]
            response = Response(raw.status, dict(raw.getheaders()), set_cookies, text)
        finally:
            connection.close()
        for key, value in response.cookies.items():
            if value in ("", '""'):
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = value
        return response

    def get(self, port: int, path: str) -> Response:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict[str, str]) -> Response:
        return self.request(port, "POST", path, form)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@dataclass
class Gunicorn:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_healthy(
    port: int, process: subprocess.Popen[bytes], log: Path, host: str, seconds: int = 60
) -> None:
    """Poll ``/healthz`` until it answers 200 (or the process dies, or time runs out)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": host})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise AssertionError(f"gunicorn on {port} never became healthy:\n{log.read_text()[-3000:]}")


@contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[Gunicorn]:
    """Run the hub under gunicorn with the project's gunicorn.conf.py on 127.0.0.1:``port``."""
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    env.setdefault("GUNICORN_WORKERS", "1")
    env.setdefault("GUNICORN_THREADS", "2")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(port, process, log, env["ALLOWED_HOSTS"].split(",")[0])
        yield Gunicorn(port, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
