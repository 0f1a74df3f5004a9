"""The time to answer a sign-in request says nothing about whether the address has an account.

A few hundred requests, for addresses with and without an account, interleaved in a random
order: in pairs of one of each, so that a load spike on this shared machine or a growing
table hits both kinds alike. The answer's median time for each kind must differ by less than
the noise measured in the same run: the median difference between the medians of two random
halves of the requests of one kind.
"""

import random
import statistics
import time

import pytest
from django.test import Client

from tests import factories

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

REQUESTS_PER_KIND = 200
ADDRESSES_PER_KIND = 15
SPLITS = 200
# The medians may differ by up to MARGIN times the noise. With no real difference the ratio
# is mostly below 1 (a normal approximation puts it above 4 about once in ten thousand runs);
# a difference in the work done, even a fraction of a millisecond, is many times the noise.
MARGIN = 4
LIMITS = [
    "SIGN_IN_RATE_PER_IP",
    "SIGN_IN_RATE_PER_ADDRESS",
    "SIGN_IN_RATE_PER_ADDRESS_DAY",
    "SIGN_IN_RATE_PER_ADDRESS_AND_IP",
    "SIGN_IN_MAIL_PER_HOUR",
    "SIGN_IN_MAIL_PER_DAY",
]


def _noise(samples: list[float], rng: random.Random) -> float:
    """The median difference between the medians of two random halves of ``samples``."""
    differences = []
    for _ in range(SPLITS):
        shuffled = rng.sample(samples, len(samples))
        half = len(shuffled) // 2
        differences.append(
            abs(statistics.median(shuffled[:half]) - statistics.median(shuffled[half:]))
        )
    return statistics.median(differences)


def test_answer_time_does_not_depend_on_the_address_having_an_account(facility, settings):
    # Every request does the full work: no rate limit cuts any of them short.
    for name in LIMITS:
        setattr(settings, name, 10**6)
    known = [
        factories.member(facility, factories.person(f"known{i}@example.com")).email
        for i in range(ADDRESSES_PER_KIND)
    ]
    unknown = [f"nobody{i}@example.com" for i in range(ADDRESSES_PER_KIND)]
    rng = random.Random(16)
    order = []
    for i in range(REQUESTS_PER_KIND):  # in pairs, each in a random order: load hits both alike
        j = i % ADDRESSES_PER_KIND
        order += rng.sample([("known", known[j]), ("unknown", unknown[j])], 2)
    browser = Client()
    for email in known[:5] + unknown[:5]:  # warm up: templates, connections, caches
        browser.post("/sign-in/", {"email": email})

    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for kind, email in order:
        started = time.perf_counter()
        response = browser.post("/sign-in/", {"email": email})
        times[kind].append(time.perf_counter() - started)
        assert response.status_code == 302

    difference = abs(statistics.median(times["known"]) - statistics.median(times["unknown"]))
    noise = statistics.median([_noise(times["known"], rng), _noise(times["unknown"], rng)])
    assert difference < MARGIN * noise, (
        f"median answer differs by {difference * 1000:.3f} ms between addresses with and "
        f"without an account; noise {noise * 1000:.3f} ms"
    )
