"""Read replica: heavy reads on a real PostgreSQL hot standby, never stale reads of one's own write.

A private primary cluster on loopback, and a second cluster made from it with
``pg_basebackup -R`` on another port, started as a streaming hot standby. Both log every
statement (``log_statement = all``), so the test reads in the servers' own logs which of them
ran an export's ``COPY`` or the reconciliation's reads. One gunicorn process (production
settings) has ``DATABASE_URL`` = the primary and ``DATABASE_REPLICA_URL`` = the standby.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.deploy import servers
from tests.security import private_pg

pytestmark = pytest.mark.slow

PRIMARY_PORT, STANDBY_PORT, WEB_PORT = servers.free_ports(3)
DATABASE = "h_deploy_replica"
REDIS = "redis://127.0.0.1:6379/13"
PIN_SECONDS = 3

SEED = """
from datetime import date
from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import Person, SignInToken
from compliance_hub.certificates import documents
from compliance_hub.facilities.models import Membership
from tests import factories
from tests.audits.helpers import run_schedule

facility = factories.facility(name="Riverside Care Home")
person = Person.objects.create_user("{email}")
Membership.objects.create(person=person, facility=facility, role="primary")
lisa = factories.contractor(facility.partner, "Lisa", "Turner", email="lisa@example.com")
factories.assignment(facility, lisa, date(2026, 3, 1), date(2026, 3, 31))
for day in range(1, 29):
    worker = factories.contractor(facility.partner, "Casey", f"Replicant{{day}}")
    factories.assignment(facility, worker, date(2026, 2, day))
reconciliation = run_schedule(facility, person, [
    ["Contractor", "Work date", "Amount"],
    ["Lisa Tuner", "2026-03-05", "100.00"],
    ["Lisa Turner", "2026-03-07", "200.00"],
])
documents.render_pending(1000)  # as the worker leaves them: nothing pending
from compliance_hub.partner_api.keys import create_key
_, api_key = create_key(facility.partner, name="replica test")
issued = tokens.issue(purpose=SignInToken.Purpose.SIGN_IN, email="{email}", person=person, ttl=600)
print("SEED", facility.pk, reconciliation.pk, lisa.pk, issued.raw, api_key)
"""


class Log:
    """A server log read from a mark onwards (what happened since)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size

    def since(self) -> str:
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            return handle.read().decode("utf-8", "replace")


def _standby_from(primary: private_pg.Cluster) -> private_pg.Cluster:
    """``pg_basebackup -R``: a copy of the primary that starts as its streaming standby
    (``standby.signal`` and ``primary_conninfo`` written by ``-R``)."""
    root = Path(tempfile.mkdtemp(prefix="hub-pg-standby-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data = root / "data"
    subprocess.run(
        private_pg._as_postgres(
            [
                str(primary.bin / "pg_basebackup"),
                *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
                *("-D", str(data), "-R", "-X", "stream", "-c", "fast"),
            ]
        ),
        check=True,
        capture_output=True,
        timeout=300,
    )
    standby = private_pg.Cluster(primary.bin, data, STANDBY_PORT)
    standby.start()
    return standby


def _wait_replayed(primary_url: str, standby_url: str, seconds: float = 60) -> None:
    """Until the standby is in recovery and has replayed everything the primary wrote."""
    target = servers.query(primary_url, "SELECT pg_current_wal_lsn()::text")[0][0]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            row = servers.query(
                standby_url,
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn",
                target,
            )[0]
            if row == (True, True):
                return
        except Exception:  # still starting
            pass
        time.sleep(0.2)
    raise AssertionError("the standby did not catch up with the primary")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = tmp_path_factory.mktemp("replica")
    with private_pg.private_cluster(PRIMARY_PORT) as primary:
        with servers_psycopg(primary.url + "/postgres") as conn:
            conn.execute("ALTER SYSTEM SET log_statement = 'all'")
            conn.execute("SELECT pg_reload_conf()")
        url = primary.create_database(DATABASE)
        env = servers.production_env(
            base / "data",
            url,
            CACHE_URL=REDIS,
            MAIL_SEND_ON_COMMIT="0",
            REPLICA_PIN_SECONDS=str(PIN_SECONDS),
            REPLICA_MAX_LAG_SECONDS="2",
            REPLICA_COOLDOWN_SECONDS="30",
        )
        servers.hub(env, "migrate", "--noinput")
        email = f"member-{secrets.token_hex(4)}@example.com"
        out = servers.hub(env, "shell", "-c", SEED.format(email=email))
        facility, reconciliation, lisa, raw, api_key = out.split("SEED", 1)[1].split()
        standby = _standby_from(primary)
        standby_url = f"{standby.url}/{DATABASE}"
        try:
            _wait_replayed(url, standby_url)
            web_env = {**env, "DATABASE_REPLICA_URL": standby_url}
            with servers.gunicorn(web_env, WEB_PORT, base / "web.log") as web:
                yield {
                    "web": web,
                    "url": url,
                    "standby": standby,
                    "standby_url": standby_url,
                    "primary_log": Log(primary.data / "server.log"),
                    "standby_log": Log(standby.data / "server.log"),
                    "facility": int(facility),
                    "reconciliation": int(reconciliation),
                    "lisa": int(lisa),
                    "raw": raw,
                    "api_key": api_key,
                }
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                standby.stop()  # unless the test stopped it
            shutil.rmtree(standby.data.parent, ignore_errors=True)


def servers_psycopg(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


@pytest.fixture(scope="module")
def browser(hub):
    browser = servers.Browser()
    assert browser.get(WEB_PORT, f"/sign-in/{hub['raw']}/").status == 302
    confirm = browser.get(WEB_PORT, "/sign-in/confirm/")
    signed = browser.post(
        WEB_PORT, "/sign-in/confirm/", {"csrfmiddlewaretoken": servers.csrf_token(confirm.body)}
    )
    assert signed.status == 302, signed.body[:300]
    return browser


def _export(hub, browser) -> servers.Response:
    return browser.get(WEB_PORT, f"/facilities/{hub['facility']}/certificates/export.csv")


def _unpinned(browser) -> None:
    """Let a pin from an earlier write run out (the cookie carries its own expiry)."""
    time.sleep(PIN_SECONDS + 0.5)


def test_an_export_is_served_by_the_replica(hub, browser):
    _unpinned(browser)
    hub["primary_log"].mark()
    hub["standby_log"].mark()
    response = _export(hub, browser)
    assert response.status == 200, response.body[:300]
    assert response.body.count("Replicant") == 28 and "Lisa Turner" in response.body
    assert "COPY (SELECT" in hub["standby_log"].since()
    assert "COPY (SELECT" not in hub["primary_log"].since()
    # The access check, session and activity record stay on the primary.
    assert "django_session" not in hub["standby_log"].since()


def test_a_write_then_a_read_sees_the_write_on_the_primary(hub, browser):
    """A manual decision, then at once a re-run: the re-run's matching must see the decision
    (pinned to the primary for a few seconds after the write), and so does an export."""
    facility, reconciliation = hub["facility"], hub["reconciliation"]
    result = f"/facilities/{facility}/audits/{reconciliation}/"
    page = browser.get(WEB_PORT, result)
    assert page.status == 200
    token = servers.csrf_token(page.body)
    hub["primary_log"].mark()
    hub["standby_log"].mark()
    decided = browser.post(
        WEB_PORT, f"{result}rows/2/decide/", {"csrfmiddlewaretoken": token, "choice": hub["lisa"]}
    )
    assert decided.status == 302, decided.body[:300]
    assert any(name.endswith("hub-pin") for name in decided.cookies)
    rerun = browser.post(WEB_PORT, f"{result}rerun/", {"csrfmiddlewaretoken": token})
    assert rerun.status == 302, rerun.body[:300]
    fresh = browser.get(WEB_PORT, rerun.headers["Location"])
    assert fresh.status == 200
    assert "manual decision" in fresh.body or "chosen by" in fresh.body
    rows = servers.query(
        hub["url"],
        "SELECT matched_by FROM audits_reconciliationrow r JOIN audits_reconciliation a"
        " ON a.id = r.reconciliation_id WHERE a.rerun_of_id = %s AND r.line = 2",
        reconciliation,
    )
    assert rows == [("manual decision",)]
    # The matching's reads (the decisions among them) ran on the primary, none on the standby.
    assert "audits_rowdecision" in hub["primary_log"].since()
    assert "audits_rowdecision" not in hub["standby_log"].since()
    exported = _export(hub, browser)  # still pinned: the primary serves it
    assert exported.status == 200
    assert "COPY (SELECT" not in hub["standby_log"].since()


def test_with_the_replica_stopped_exports_come_from_the_primary_without_error(hub, browser):
    _unpinned(browser)
    hub["standby"].stop()
    hub["primary_log"].mark()
    for _ in range(2):  # the first finds it down, the second is within the cooldown
        response = _export(hub, browser)
        assert response.status == 200, response.body[:300]
        assert response.body.count("Replicant") == 28
    assert hub["primary_log"].since().count("COPY (SELECT") == 2
    warnings = [line for line in hub["web"].output().splitlines() if "replica unreachable" in line]
    assert len(warnings) == 1, warnings  # one failed probe, then the cooldown


def test_a_partner_api_write_pins_its_key_to_the_primary_for_a_few_seconds(hub):
    """API clients keep no cookies: the pin is kept in the shared cache, by (a hash of) key."""
    import http.client

    import redis

    pins = redis.Redis.from_url(REDIS)
    for key in pins.scan_iter("*replica-pin:*"):
        pins.delete(key)
    connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=30)
    body = json.dumps({"first_name": "Pinned", "last_name": "Writer"})
    connection.request(
        "PUT",
        "/api/v1/contractors/PIN-1",
        body=body,
        headers={
            "Host": "127.0.0.1",
            "Authorization": f"Bearer {hub['api_key']}",
            "Content-Type": "application/json",
        },
    )
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 201
    keys = list(pins.scan_iter("*replica-pin:*"))
    assert len(keys) == 1
    assert hub["api_key"] not in keys[0].decode()  # only a hash of the key is stored
    assert 0 < pins.ttl(keys[0]) <= PIN_SECONDS
