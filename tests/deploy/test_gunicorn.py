"""The production web process: gunicorn.conf.py, WhiteNoise's hashed static files, health probes."""

from __future__ import annotations

import http.client
import re
import subprocess

import pytest

from tests.deploy import servers

pytestmark = pytest.mark.slow

PORT = 8703


def printed_config(**env: str) -> dict[str, str]:
    """gunicorn's fully resolved settings for gunicorn.conf.py under ``env``."""
    base = {k: v for k, v in servers.production_env(servers.ROOT, "sqlite://").items()}
    result = subprocess.run(
        [
            str(servers.BIN / "gunicorn"),
            "-c",
            str(servers.ROOT / "gunicorn.conf.py"),
            "--print-config",
        ],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=servers.ROOT,
    )
    assert result.returncode == 0, result.stderr
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition("=") for line in result.stdout.splitlines())
    )


def test_configuration_follows_the_environment():
    default = printed_config()
    assert default["worker_class"] == "gthread"
    assert int(default["workers"]) >= 2 and default["threads"] == "4"
    assert int(default["timeout"]) >= 300  # long downloads are never cut short
    assert default["accesslog"] == "None"  # the hub logs its own (redacted) access lines
    assert default["forwarded_allow_ips"] == "[]"  # no proxy trusted by default
    assert default["control_socket_disable"] == "True"

    tuned = printed_config(
        PORT="9000", WEB_CONCURRENCY="5", GUNICORN_THREADS="8", TRUSTED_PROXY_COUNT="1"
    )
    assert tuned["bind"] == "['0.0.0.0:9000']"
    assert (tuned["workers"], tuned["threads"]) == ("5", "8")
    # One proxy, by default on this machine (nginx): never "anyone".
    assert tuned["forwarded_allow_ips"] == "['127.0.0.1', '::1']"
    proxies = printed_config(TRUSTED_PROXY_COUNT="1", FORWARDED_ALLOW_IPS="10.0.0.5,10.0.1.0/24")
    assert proxies["forwarded_allow_ips"] == "['10.0.0.5', '10.0.1.0/24']"
    ignored = printed_config(FORWARDED_ALLOW_IPS="10.0.0.5")  # no proxy count: nobody's
    assert ignored["forwarded_allow_ips"] == "[]"


def get(path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    connection.request("GET", path, headers={"Host": "hub.example.com", **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_production_web_process_serves_hashed_static_files_and_answers_probes(tmp_path):
    env = servers.production_env(
        tmp_path,
        f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        ALLOWED_HOSTS="hub.example.com",
        STATIC_ROOT=str(tmp_path / "static"),
        STATIC_MANIFEST="1",
        TRUSTED_PROXY_COUNT="1",
        PORT=str(PORT),
    )
    env.pop("SECURE_SSL_REDIRECT")  # production default: redirect to HTTPS
    servers.hub(env, "migrate", "--noinput")
    servers.hub(env, "collectstatic", "--noinput")
    hashed = next((tmp_path / "static" / "hub").glob("hub.*.css")).name
    assert re.fullmatch(r"hub\.[0-9a-f]{12}\.css", hashed)

    with servers.gunicorn(env, PORT, tmp_path / "gunicorn.log") as server:
        https = {"X-Forwarded-Proto": "https"}
        # Pages link the hashed name; WhiteNoise serves it compressed and cacheable forever.
        page = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        page.request("GET", "/sign-in/", headers={"Host": "hub.example.com", **https})
        html = page.getresponse().read().decode()
        page.close()
        assert f"/static/hub/{hashed}" in html
        static = get(f"/static/hub/{hashed}", **https, **{"Accept-Encoding": "gzip"})
        assert static.status == 200
        assert "immutable" in static.headers["Cache-Control"]
        assert static.headers["Content-Encoding"] == "gzip"

        # Plain HTTP is redirected to HTTPS, except the probes a load balancer sends.
        assert get("/sign-in/").status == 301
        assert get("/healthz").status == 200 and get("/readyz").status == 200
        probe = [str(servers.BIN / "python"), str(servers.ROOT / "deploy" / "healthcheck.py")]
        for path in ("/healthz", "/readyz"):
            assert subprocess.run([*probe, path], env=env, timeout=30).returncode == 0
        # The container health check fails when the process does not answer.
        server.process.terminate()
        server.process.wait(timeout=30)
        assert subprocess.run(probe, env=env, capture_output=True, timeout=30).returncode == 1

    # X-Forwarded-Proto from a peer that is not one of the proxies is not believed.
    env["FORWARDED_ALLOW_IPS"] = "10.0.0.5"
    with servers.gunicorn(env, PORT, tmp_path / "gunicorn2.log"):
        assert get("/sign-in/", **https).status == 301

    # One JSON access line per request from the hub, none from gunicorn itself.
    lines = server.output().splitlines()
    assert any('"logger": "compliance_hub.access"' in line for line in lines)
    assert not any('"logger": "gunicorn.access"' in line for line in lines)
