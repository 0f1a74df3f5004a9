"""``compliance-hub check --deploy`` is clean with production settings, and not with bad ones."""

from __future__ import annotations

import subprocess

import pytest

from tests.deploy import servers

pytestmark = pytest.mark.slow


def check(tmp_path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = servers.production_env(
        tmp_path,
        f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        ALLOWED_HOSTS="hub.example.com",
        SITE_URL="https://hub.example.com",
        CACHE_URL="redis://127.0.0.1:6379/12",
        TRUSTED_PROXY_COUNT="1",
        STATIC_MANIFEST="1",
    )
    env.pop("SECURE_SSL_REDIRECT")  # production default: on
    env.update(overrides)
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


def test_a_weakened_setting_is_reported(tmp_path):
    result = check(tmp_path, SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr
