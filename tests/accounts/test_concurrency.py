"""Two browsers press "Sign in" on the same link at the same moment: exactly one wins.

Runs on whatever database is configured (``make test`` runs the suite on SQLite and, with
``DATABASE_URL``, on PostgreSQL), each thread on its own database connection.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import SignInToken
from compliance_hub.activity.models import Activity
from tests import factories
from tests.accounts.helpers import link_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RACERS = 4


def _race(work):
    """Run ``work(i)`` in RACERS threads released together; return their results."""
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS
    errors: list = []

    def run(i):
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_concurrent_confirm_posts_exactly_one_signs_in(facility):
    person = factories.member(facility, factories.person("race@example.com"))
    path = link_for(Client(), person.email)
    browsers = [Client() for _ in range(RACERS)]
    for browser in browsers:
        browser.get(path)  # every browser holds the link in its session

    results = _race(lambda i: browsers[i].post("/sign-in/confirm/").status_code)

    assert sorted(results) == [302] + [410] * (RACERS - 1), (connection.vendor, results)
    assert Activity.objects.filter(verb="signed_in").count() == 1


def test_concurrent_consume_of_one_token(facility):
    person = factories.member(facility, factories.person("race2@example.com"))
    issued = tokens.issue(purpose="sign_in", email=person.email, person=person, ttl=600)
    all_read = threading.Barrier(RACERS)

    def consume(i):
        token = SignInToken.objects.get(pk=issued.token.pk)
        assert token.used_at is None
        all_read.wait(timeout=30)  # every thread has seen the token unused before any writes
        return tokens.consume(token)

    results = _race(consume)
    assert results.count(True) == 1, (connection.vendor, results)
