"""The hub behind PgBouncer in transaction mode (docs/deploy.md, "Database connections").

A real PgBouncer (``pool_mode = transaction``, one server connection for everything) between
a gunicorn process (``DATABASE_PGBOUNCER=1``, four threads) and PostgreSQL: signing in, the
certificate table and a streamed CSV export all work, and PgBouncer really carried the
transactions. Needs the ``pgbouncer`` binary (Debian package ``pgbouncer``): a failure
without it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests import needs
from tests.deploy import servers

pytestmark = pytest.mark.slow

DATABASE = servers.unique("h_deploy_pgbouncer")
PGBOUNCER_PORT, APP_PORT = servers.free_ports(2)
ROWS = 40

SEED = """
from datetime import date, timedelta
from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import Person, SignInToken
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Contractor
from compliance_hub.demo.seed import partner_with_program
from compliance_hub.facilities.models import Facility, Membership

partner = partner_with_program("Pooled Staffing", "pooled", producer_name="Broker")
facility = Facility.objects.create(partner=partner, external_id="F1", name="Riverside Care Home")
person = Person.objects.create_user("pooled@example.com")
Membership.objects.create(person=person, facility=facility)
for i in range({rows}):
    contractor = Contractor.objects.create(partner=partner, external_id=f"C{{i}}",
        first_name="Ann", last_name=f"Lee{{i}}")
    services.save_assignment(partner=partner, external_id=f"A{{i}}", facility=facility,
        contractor=contractor, effective_date=date(2026, 1, 1) + timedelta(days=i),
        end_date=date(2026, 1, 1) + timedelta(days=i))
issued = tokens.issue(purpose=SignInToken.Purpose.SIGN_IN, email=person.email, person=person,
    ttl=600)
print("SEED", facility.pk, issued.raw)
"""


def _pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if found is None:
        needs.missing("pgbouncer", "apt-get install pgbouncer")
    return found


def _admin(sql: str) -> str:
    """A command on PgBouncer's admin console (simple query protocol, so psql)."""
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PGBOUNCER_PORT), "-U", "postgres", "-d",
         "pgbouncer", "-AtF", "|", "-c", sql],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )  # fmt: skip
    return result.stdout


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    binary = _pgbouncer_binary()
    servers.require_postgres()
    direct = servers.recreate_database(DATABASE)
    # PgBouncer refuses to run as root: it runs as postgres and must read its files.
    conf_dir = Path(tempfile.mkdtemp(prefix="hub-pgbouncer-"))
    conf_dir.chmod(0o755)
    (conf_dir / "userlist.txt").write_text('"postgres" ""\n')
    (conf_dir / "pgbouncer.ini").write_text(
        f"""[databases]
{DATABASE} = host=127.0.0.1 port=5432 dbname={DATABASE} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {PGBOUNCER_PORT}
unix_socket_dir =
auth_type = trust
auth_file = {conf_dir}/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 1
max_client_conn = 50
ignore_startup_parameters = extra_float_digits
"""
    )
    for path in conf_dir.iterdir():
        path.chmod(0o644)
    base = tmp_path_factory.mktemp("pgbouncer")
    log = base / "pgbouncer.log"
    command = [binary, str(conf_dir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
    with log.open("wb") as sink:
        bouncer = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _admin("SHOW VERSION")
                break
            except subprocess.CalledProcessError:
                if bouncer.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"pgbouncer did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        through = f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/{DATABASE}"
        env = servers.production_env(
            base / "data", through, DATABASE_PGBOUNCER="1", GUNICORN_THREADS="4"
        )
        servers.hub({**env, "DATABASE_URL": direct}, "migrate", "--noinput")
        out = servers.hub(env, "shell", "-c", SEED.format(rows=ROWS))
        facility_id, raw = out.split("SEED", 1)[1].split()
        with servers.gunicorn(env, APP_PORT, base / "app.log") as app:
            yield {"facility": int(facility_id), "raw": raw, "app": app}
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=30)
        shutil.rmtree(conf_dir, ignore_errors=True)
        servers.drop_database(DATABASE)


def _transactions() -> int:
    lines = _admin("SHOW STATS").splitlines()
    rows = [line.split("|") for line in lines]
    return sum(int(row[1]) for row in rows if row[0] == DATABASE)


def test_sign_in_table_and_csv_export_through_transaction_pooling(pooled):
    before = _transactions()
    browser = servers.Browser()
    opened = browser.get(APP_PORT, f"/sign-in/{pooled['raw']}/")
    assert opened.status == 302 and opened.headers["Location"] == "/sign-in/confirm/"
    confirm = browser.get(APP_PORT, "/sign-in/confirm/")
    assert confirm.status == 200, confirm.body[:500]
    signed_in = browser.post(
        APP_PORT, "/sign-in/confirm/", {"csrfmiddlewaretoken": servers.csrf_token(confirm.body)}
    )
    assert signed_in.status == 302, signed_in.body[:500]

    base = f"/facilities/{pooled['facility']}/certificates/"
    page = browser.get(APP_PORT, base)
    assert page.status == 200
    assert "Riverside Care Home" in page.body
    assert f"{ROWS} assignments" in page.body

    export = browser.get(APP_PORT, base + "export.csv")
    assert export.status == 200, export.body[:500]
    rows = list(csv.reader(io.StringIO(export.body.lstrip("\ufeff"))))
    cells = {cell for row in rows[1:] for cell in row}
    assert len(rows) == ROWS + 1
    assert {f"Ann Lee{i}" for i in range(ROWS)} <= cells

    # The statements went through PgBouncer (its counters moved), not around it.
    assert _transactions() > before
    assert "ERROR" not in pooled["app"].output()
