"""Rate limits when the shared cache is down: nothing is counted, nobody gets a server error."""

import socket

import pytest
from django.test import Client, override_settings

from compliance_hub.core import ratelimit
from tests import factories
from tests.accounts.helpers import ask_for_link

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
