import pytest

from tests import factories


@pytest.fixture
def person(facility):
    return factories.member(facility)


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client
