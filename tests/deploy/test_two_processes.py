"""Horizontal scale: two stateless app processes share sessions and rate limits.

Two gunicorn processes (the project's gunicorn.conf.py, production settings) on different
ports, one PostgreSQL database (``h_deploy_two_<pid>``) and one Redis cache. The second process
uses Django's connection pool (``DATABASE_POOL_MAX``), the first persistent connections.
"""

from __future__ import annotations

import json
import secrets

import pytest

from tests.deploy import servers

pytestmark = pytest.mark.slow

DATABASE = servers.unique("h_deploy_two")
PORT_A, PORT_B = servers.free_ports(2)
REDIS = "redis://127.0.0.1:6379/12"

SEED = """
from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import Person, SignInToken
from compliance_hub.facilities.models import Facility, Membership, Partner

partner = Partner.objects.create(name="Two Process Staffing", slug="two-process")
facility = Facility.objects.create(partner=partner, external_id="F1", name="Riverside Care Home")
for email in ("{signer}", "{limited}"):
    person = Person.objects.create_user(email)
    Membership.objects.create(person=person, facility=facility)
issued = tokens.issue(
    purpose=SignInToken.Purpose.SIGN_IN,
    email="{signer}",
    person=Person.objects.get(email="{signer}"),
    ttl=600,
)
print("SEED", facility.pk, issued.raw)
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    servers.require_postgres()
    url = servers.recreate_database(DATABASE)
    base = tmp_path_factory.mktemp("two")
    common = {
        "CACHE_URL": REDIS,
        "MAIL_SEND_ON_COMMIT": "0",  # e-mail stays in the outbox (no worker here)
        "SIGN_IN_RATE_PER_ADDRESS": "3",
        "SIGN_IN_RATE_PER_IP": "100000",
    }
    env_a = servers.production_env(base / "a", url, **common)
    # The same SECRET_KEY everywhere: sessions and CSRF tokens are signed with it.
    env_b = {**env_a, "DATA_DIR": str(base / "b"), "DATABASE_POOL_MAX": "4"}
    servers.hub(env_a, "migrate", "--noinput")
    signer = f"signer-{secrets.token_hex(4)}@example.com"
    limited = f"limited-{secrets.token_hex(4)}@example.com"
    out = servers.hub(env_a, "shell", "-c", SEED.format(signer=signer, limited=limited))
    facility_id, raw = out.split("SEED", 1)[1].split()
    try:
        with (
            servers.gunicorn(env_a, PORT_A, base / "a.log") as a,
            servers.gunicorn(env_b, PORT_B, base / "b.log") as b,
        ):
            yield {
                "a": a,
                "b": b,
                "url": url,
                "facility": int(facility_id),
                "raw": raw,
                "limited": limited,
                "env": env_a,
            }
    finally:
        servers.drop_database(DATABASE)


def test_a_session_started_on_one_process_is_valid_on_the_other(cluster):
    browser = servers.Browser()
    table = f"/facilities/{cluster['facility']}/certificates/"

    # Open the e-mailed link on A: A stores the pending sign-in in the session.
    opened = browser.get(PORT_A, f"/sign-in/{cluster['raw']}/")
    assert opened.status == 302 and opened.headers["Location"] == "/sign-in/confirm/"
    assert "__Host-sessionid" in browser.cookies

    # B finds that session and offers the sign-in button; pressing it on B signs in.
    confirm = browser.get(PORT_B, "/sign-in/confirm/")
    assert confirm.status == 200, confirm.body[:500]
    assert "Sign in" in confirm.body
    signed_in = browser.post(
        PORT_B, "/sign-in/confirm/", {"csrfmiddlewaretoken": servers.csrf_token(confirm.body)}
    )
    assert signed_in.status == 302, signed_in.body[:500]

    # The signed-in session works on both processes.
    for port in (PORT_A, PORT_B):
        page = browser.get(port, table)
        assert page.status == 200, (port, page.status)
        assert "Riverside Care Home" in page.body

    # Signing out on A ends the session on B too.
    page = browser.get(PORT_A, table)
    out = browser.post(PORT_A, "/sign-out/", {"csrfmiddlewaretoken": servers.csrf_token(page.body)})
    assert out.status == 302
    after = browser.get(PORT_B, table)
    assert after.status == 302 and after.headers["Location"].startswith("/sign-in/")


def test_the_sign_in_rate_limit_is_counted_across_processes(cluster):
    """Limit 3 per address: two requests on each process send three links, not four."""
    email = cluster["limited"]
    for port in (PORT_A, PORT_B, PORT_A, PORT_B):
        browser = servers.Browser()
        form = browser.get(port, "/sign-in/")
        answer = browser.post(
            port,
            "/sign-in/",
            {"csrfmiddlewaretoken": servers.csrf_token(form.body), "email": email, "next": ""},
        )
        assert answer.status == 302 and answer.headers["Location"] == "/sign-in/sent/"
    servers.hub(cluster["env"], "worker", "--once")  # the worker sends what was asked for
    links = servers.query(
        cluster["url"],
        "SELECT count(*) FROM accounts_signintoken WHERE email = %s AND purpose = 'sign_in'",
        email,
    )[0][0]
    queued = servers.query(
        cluster["url"], 'SELECT count(*) FROM mailer_outboundemail WHERE "to" = %s', email
    )
    assert links == 3
    assert queued == [(3,)]
    # The fourth request went to B, which had seen only one of its own before: it was the
    # shared count (Redis) that refused it.
    refusals = [
        json.loads(line)
        for line in cluster["b"].output().splitlines()
        if "over the rate limit" in line
    ]
    assert len(refusals) == 1 and refusals[0]["logger"] == "compliance_hub.accounts.services"
    assert email not in cluster["b"].output()  # and no address reached the log
