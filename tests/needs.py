"""What the test suite needs from the machine: a missing piece is a failure, never a skip.

`.ci/run` installs all of it; the README says what `make test` needs.
"""

from __future__ import annotations

from typing import NoReturn

import pytest


def missing(what: str, how: str) -> NoReturn:
    """Fail the test: ``what`` is not on this machine; ``how`` says how to get it."""
    pytest.fail(f"{what} is required by the test suite ({how})", pytrace=False)
