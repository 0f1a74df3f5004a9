import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Upload rate limits live in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(facility):
    return factories.member(facility)


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client
