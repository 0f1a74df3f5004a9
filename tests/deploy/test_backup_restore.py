"""deploy/backup.sh and deploy/restore.sh on a small seeded hub: what comes back is identical."""

from __future__ import annotations

import hashlib
import subprocess

import pytest

from tests.deploy import servers

pytestmark = pytest.mark.slow

SOURCE, RESTORED = servers.unique("h_deploy_source"), servers.unique("h_deploy_restored")

SEED = """
from datetime import date, timedelta
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.certificates import documents, services
from tests import factories

partner = factories.partner(name="Backup Staffing")
facility = factories.facility(partner, name="Lakeside Clinic")
person = factories.member(facility)
first = None
for i in range(12):
    contractor = factories.contractor(partner, first="Zoë", last=f"Nguyễn{i}")
    a = factories.assignment(facility, contractor, effective=date(2026, 1, 1) + timedelta(days=i))
    if i < 4:
        certificate = documents.ensure_rendered(a.current_certificate)
        first = first or certificate
services.cancel_assignment(a)  # one void certificate too
record(Activity.Verb.SIGNED_IN, actor=person)
print("SEED", first.number)
"""

TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1
"""


def counts(url: str) -> dict[str, int]:
    tables = [row[0] for row in servers.query(url, TABLES)]
    return {t: servers.query(url, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(servers.ROOT / "deploy" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def hub_env(tmp_path):
    servers.require_postgres()
    source = servers.recreate_database(SOURCE)
    restored = servers.recreate_database(RESTORED)
    env = servers.production_env(
        tmp_path / "data",
        source,
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHON=str(servers.BIN / "python"),  # the hub's Python, for verify_certificates.py
    )
    yield {"env": env, "source": source, "restored": restored, "tmp": tmp_path}
    servers.drop_database(SOURCE)
    servers.drop_database(RESTORED)


def test_a_backup_restores_into_a_fresh_database_with_identical_rows_and_files(hub_env):
    env, tmp = hub_env["env"], hub_env["tmp"]
    servers.hub(env, "migrate", "--noinput")
    number = servers.hub(env, "shell", "-c", SEED).split("SEED", 1)[1].strip()
    before = counts(hub_env["source"])
    assert before["certificates_certificate"] == 12 and before["accounts_person"] == 1

    backed = run("backup.sh", str(tmp / "backups"), env=env)
    assert backed.returncode == 0, backed.stderr
    backup = backed.stdout.strip().splitlines()[-1]
    assert (tmp / "backups").joinpath(backup.rsplit("/", 1)[1], "database.dump").is_file()

    restore_env = {
        **env,
        "DATABASE_URL": hub_env["restored"],
        "MEDIA_ROOT": str(tmp / "restored-media"),
    }
    restored = run("restore.sh", backup, env=restore_env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "4 checked, 0 missing or altered" in restored.stdout

    assert counts(hub_env["restored"]) == before
    query = (
        "SELECT pdf, sha256, size, snapshot::text FROM certificates_certificate WHERE number = %s"
    )
    original = servers.query(hub_env["source"], query, number)[0]
    copy = servers.query(hub_env["restored"], query, number)[0]
    assert copy == original
    data = (tmp / "restored-media" / copy[0]).read_bytes()
    assert data == (tmp / "media" / original[0]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == copy[1] and len(data) == copy[2]
    assert data.startswith(b"%PDF")


def test_restore_refuses_a_damaged_backup_and_a_database_in_use(hub_env):
    env, tmp = hub_env["env"], hub_env["tmp"]
    servers.hub(env, "migrate", "--noinput")
    servers.hub(env, "shell", "-c", SEED)
    backup = run("backup.sh", str(tmp / "backups"), env=env).stdout.strip().splitlines()[-1]
    restore_env = {**env, "DATABASE_URL": hub_env["restored"], "MEDIA_ROOT": str(tmp / "m2")}

    # Into the source database (not empty): refused, nothing touched.
    in_use = run("restore.sh", backup, env={**restore_env, "DATABASE_URL": hub_env["source"]})
    assert in_use.returncode == 1 and "already has" in in_use.stderr

    # A file altered after the backup was taken: refused before the database is touched.
    pdf = next((tmp / "backups").glob("hub-*/files/certificates/**/*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    damaged = run("restore.sh", backup, env=restore_env)
    assert damaged.returncode == 1 and "do not match" in damaged.stderr
    assert counts(hub_env["restored"]) == {}


def test_a_restored_certificate_file_that_differs_is_reported(hub_env):
    env, tmp = hub_env["env"], hub_env["tmp"]
    servers.hub(env, "migrate", "--noinput")
    servers.hub(env, "shell", "-c", SEED)
    verify = [str(servers.BIN / "python"), str(servers.ROOT / "deploy" / "verify_certificates.py")]
    ok = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "4 checked, 0 missing" in ok.stdout, ok.stderr
    victim = sorted((tmp / "media").rglob("*.pdf"))[0]
    victim.write_bytes(b"%PDF-1.7 not the certificate")
    bad = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "4 checked, 1 missing or altered" in bad.stdout


def test_backups_beyond_the_retention_count_are_deleted(hub_env):
    env, tmp = hub_env["env"], hub_env["tmp"]
    servers.hub(env, "migrate", "--noinput")
    servers.hub(env, "shell", "-c", SEED)
    made = []
    for _ in range(3):
        result = run("backup.sh", str(tmp / "backups"), env={**env, "BACKUP_KEEP": "2"})
        assert result.returncode == 0, result.stderr
        made.append(result.stdout.strip().splitlines()[-1])
    left = sorted(str(p) for p in (tmp / "backups").iterdir())
    assert left == made[1:]
    # Unchanged files are hard links to the previous backup's copy, not new copies.
    pdfs = sorted((tmp / "backups").glob("hub-*/files/certificates/**/*.pdf"))
    assert pdfs and all(p.stat().st_nlink == 2 for p in pdfs)
