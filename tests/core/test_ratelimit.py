"""The shared cache down: rate limits count nothing, the passkey rule and the replica pin are
read from the database instead, and nobody gets a server error."""

import socket

import pytest
from django.test import Client, override_settings

from compliance_hub.core import ratelimit, shared_cache
from tests import factories
from tests.accounts.helpers import ask_for_link
from tests.passkeys.helpers import client_signed_in

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


@pytest.fixture
def redis_down():
    location = f"redis://127.0.0.1:{closed_port()}/0"
    backend = "django.core.cache.backends.redis.RedisCache"
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": location}}):
        yield


def test_limits_allow_and_count_nothing_while_the_cache_is_down(redis_down, caplog):
    decisions = [ratelimit.hit("test", "someone", limit=1, window=60) for _ in range(3)]
    assert all(d.allowed for d in decisions)
    assert ratelimit.tally("test", "someone", ttl=60) == 0
    assert ratelimit.peek("test", "someone", window=60) == 0
    assert "Rate-limit cache unreachable" in caplog.text


def test_sign_in_works_while_the_cache_is_down(redis_down, facility):
    factories.member(facility, factories.person("dana@example.com"))
    messages = ask_for_link(Client(), "dana@example.com")
    assert len(messages) == 1


def test_shortcut_reads_miss_and_writes_are_skipped_while_the_cache_is_down(redis_down, caplog):
    assert shared_cache.set("test:key", 1, 60) is False
    assert shared_cache.add("test:key", 1, 60) is False
    assert shared_cache.get("test:key", "missing") == "missing"
    assert shared_cache.delete("test:key") is False
    assert "Cache unreachable" in caplog.text


@pytest.mark.parametrize("required", [False, True])
def test_table_and_passkey_rule_hold_while_the_cache_is_down(redis_down, facility, required):
    """A membership is written (its access stamp cannot be replaced), the table opens, and a
    facility requiring passkey or single sign-on still sends a link-only session to the step."""
    facility.require_strong_sign_in = required
    facility.save(update_fields=["require_strong_sign_in"])
    dana = factories.person("dana@example.com")
    factories.member(facility, dana)
    client = client_signed_in(dana, "link")
    table = f"/facilities/{facility.pk}/certificates/"
    for _ in range(2):  # the second request meets what the first kept in the session
        response = client.get(table)
        if required:
            assert response.status_code == 302
            assert response["Location"].startswith("/passkeys/required/")
        else:
            assert response.status_code == 200
