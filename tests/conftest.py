import os

import pytest

from tests import factories


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']} (CI={os.environ.get('CI', '')})"


@pytest.fixture
def partner():
    return factories.partner()


@pytest.fixture
def facility(partner):
    return factories.facility(partner)
