"""``compliance-hub check --deploy`` is clean with production settings, and not with bad ones;
rate limits kept in Redis are counted together by every process."""

from __future__ import annotations

import secrets
import subprocess

import pytest

from tests.deploy import servers

pytestmark = pytest.mark.slow

# This module's own Redis database: flushing it touches no other test's counters.
REDIS = "redis://127.0.0.1:6379/9"


def check(tmp_path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = servers.production_env(
        tmp_path,
        f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        ALLOWED_HOSTS="hub.example.com",
        SITE_URL="https://hub.example.com",
        CACHE_URL=REDIS,
        TRUSTED_PROXY_COUNT="1",
        STATIC_MANIFEST="1",
    )
    env.pop("SECURE_SSL_REDIRECT")  # production default: on
    env.update(overrides)
    for name, value in overrides.items():
        if value is None:
            env.pop(name)
    return subprocess.run(
        [str(servers.BIN / "compliance-hub"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=servers.ROOT,
    )


def test_production_settings_pass_every_deployment_check(tmp_path):
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    # Proxies on other machines, named by address and network.
    result = check(tmp_path, FORWARDED_ALLOW_IPS="10.0.0.5,10.0.1.0/24,fd00::/8")
    assert result.returncode == 0, result.stderr


def test_a_weakened_setting_is_reported(tmp_path):
    result = check(tmp_path, SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        # Each process would count rate limits on its own.
        ({"CACHE_URL": None}, {"core.E001"}),
        ({"CACHE_URL": "locmem://"}, {"core.E001"}),
        # Any client could name the address that rate limits and the activity log see.
        ({"FORWARDED_ALLOW_IPS": "*"}, {"core.E002"}),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.5,*", "TRUSTED_PROXY_COUNT": "2"}, {"core.E002"}),
        ({"FORWARDED_ALLOW_IPS": "0.0.0.0/0"}, {"core.E002"}),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.5,::/0"}, {"core.E002"}),
        ({"CACHE_URL": None, "FORWARDED_ALLOW_IPS": "*"}, {"core.E001", "core.E002"}),
    ],
    ids=["no-cache-url", "locmem", "any", "any-of-two", "ipv4-all", "ipv6-all", "both"],
)
def test_unsafe_production_rails_are_errors(tmp_path, overrides, errors):
    result = check(tmp_path, **overrides)
    assert result.returncode != 0
    found = {code for code in ("core.E001", "core.E002") if f"({code})" in result.stderr}
    assert found == errors, result.stderr
    assert "ERRORS:" in result.stderr


def test_an_unreadable_proxy_list_stops_the_hub(tmp_path):
    result = check(tmp_path, FORWARDED_ALLOW_IPS="10.0.0.5,proxy.internal")
    assert result.returncode != 0
    assert "FORWARDED_ALLOW_IPS must list IP addresses or networks" in result.stderr


COUNT = """
from compliance_hub.core import ratelimit
for _ in range({hits}):
    decision = ratelimit.hit("rails-test", "{subject}", limit=5, window=3600)
    print("HIT", decision.count, decision.allowed)
"""


def hits(tmp_path, cache_url: str | None, subject: str, count: int) -> list[tuple[int, bool]]:
    """Run ``count`` rate-limited events in a new process with production settings."""
    env = servers.production_env(tmp_path, f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    if cache_url:
        env["CACHE_URL"] = cache_url
    out = servers.hub(env, "shell", "-c", COUNT.format(hits=count, subject=subject))
    lines = [line.split() for line in out.splitlines() if line.startswith("HIT ")]
    return [(int(count), allowed == "True") for _, count, allowed in lines]


def test_two_processes_share_rate_limit_counts_in_redis(tmp_path):
    subject = f"client-{secrets.token_hex(8)}"
    first = hits(tmp_path, REDIS, subject, 3)
    second = hits(tmp_path, REDIS, subject, 3)
    assert first == [(1, True), (2, True), (3, True)]
    # The second process continues the first one's count: the sixth event is over the limit.
    assert second == [(4, True), (5, True), (6, False)]


def test_without_a_shared_cache_each_process_allows_the_whole_limit(tmp_path):
    """What core.E001 prevents: with each process's own cache, two allow twice the limit."""
    subject = f"client-{secrets.token_hex(8)}"
    for _ in range(2):
        assert hits(tmp_path, None, subject, 5) == [(n, True) for n in range(1, 6)]
