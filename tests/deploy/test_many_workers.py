"""Many workers: four ``compliance-hub worker`` processes, two killed with SIGKILL mid-backlog.

A backlog of 10,000 pending certificates (issued through the partner API's bulk path, not
rendered) and 500 queued e-mails, one PostgreSQL database (``h_deploy_workers_<pid>``), a
shared media directory and a real SMTP server (aiosmtpd) on loopback. Four workers start; one
is killed with ``kill -9`` while mail is going out, another once half the certificates are
done, and a replacement is started. When the queue is empty:

- every certificate is rendered, and recorded exactly once: the workers log the ids of
  each committed batch ("rendered N certificates: ids"), and every id appears in exactly
  one such line over all five workers' logs (a killed worker logs only what it committed);
- every certificate's file exists with the size and SHA-256 its row records; the only other
  files are a killed worker's uncommitted batch (never referenced by a row, at most one
  batch per kill);
- every e-mail reached the SMTP server (counted by Message-ID), and the outbox has none left
  unsent. A killed worker's claim on a message expires (``MAIL_CLAIM_SECONDS``, 5 s here) and
  another worker sends it. SMTP has no way to make that exactly once: a worker killed after
  the server accepted a message and before its one-row "sent" update leaves it to be sent
  again, with the same Message-ID (mail clients show one). So a message may arrive twice
  only for a killed worker's message in flight: at most one per kill, never three times.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.deploy import servers
from tests.mailer.smtp import LoopbackSMTP

pytestmark = pytest.mark.slow

DATABASE = servers.unique("h_deploy_workers")
CERTIFICATES = 10_000
EMAILS = 500
RENDER_CHUNK = 25  # documents.RENDER_CHUNK: what a killed worker can have stored, uncommitted

SEED = """
from datetime import date, timedelta
from email.utils import make_msgid
from bench.issuance import make_fixture
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Certificate
from compliance_hub.mailer.models import OutboundEmail

fx = make_fixture()
items = [
    services.AssignmentItem(
        external_id=f"W{{i}}",
        facility=fx.facility.external_id,
        contractor=fx.contractors[i % len(fx.contractors)].external_id,
        effective_date=date(2026, 1, 1) + timedelta(days=i % 300),
        end_date=date(2026, 1, 1) + timedelta(days=i % 300 + i % 5),
        description="Registered nurse, night shift",
    )
    for i in range({certificates})
]
for at in range(0, len(items), 500):
    services.upsert_assignments(fx.partner, items[at : at + 500])
OutboundEmail.objects.bulk_create(
    OutboundEmail(
        to=f"recipient{{i}}@example.com",
        subject=f"Backlog message {{i}}",
        body_text=f"Message {{i}} of the backlog.",
        template="test/backlog",
        message_id=make_msgid(idstring=f"backlog{{i}}", domain="hub.test"),
    )
    for i in range({emails})
)
print("SEED", Certificate.objects.filter(rendered_at__isnull=True).count())
"""


@pytest.fixture
def backlog(tmp_path):
    servers.require_postgres()
    url = servers.recreate_database(DATABASE)
    smtp = LoopbackSMTP()
    smtp.start()
    env = servers.production_env(
        tmp_path / "data",
        url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}/?timeout=5",
        MAIL_SEND_ON_COMMIT="0",
        MAIL_CLAIM_SECONDS="5",
        LOG_LEVEL="INFO",
    )
    try:
        servers.hub(env, "migrate", "--noinput")
        out = servers.hub(env, "shell", "-c", SEED.format(certificates=CERTIFICATES, emails=EMAILS))
        assert out.split("SEED", 1)[1].split() == [str(CERTIFICATES)]
        yield {"env": env, "url": url, "smtp": smtp, "dir": tmp_path}
    finally:
        smtp.stop()
        servers.drop_database(DATABASE)


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [str(servers.BIN / "compliance-hub"), "worker", "--interval", "0.5"],
            env=env,
            cwd=servers.ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def _count(url: str, sql: str) -> int:
    return int(servers.query(url, sql)[0][0])


def _wait_until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


def _rendered_ids(log: Path) -> list[int]:
    """Every certificate id a worker's log says it rendered and committed."""
    ids: list[int] = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            message = json.loads(line).get("message", "")
        except ValueError:
            continue
        if message.startswith("rendered ") and " certificates: " in message:
            head, _, tail = message.partition(": ")
            found = [int(pk) for pk in tail.split()]
            assert len(found) == int(head.split()[1])
            ids += found
    return ids


def test_four_workers_two_killed_render_once_and_send_everything(backlog):
    env, url, smtp, base = backlog["env"], backlog["url"], backlog["smtp"], backlog["dir"]
    rendered = "SELECT count(*) FROM certificates_certificate WHERE rendered_at IS NOT NULL"
    logs = [base / f"worker{i}.log" for i in range(5)]
    workers = [_start(env, logs[i]) for i in range(4)]
    started = time.monotonic()
    try:
        # Kill one while the mail goes out, another halfway through the certificates.
        _wait_until(lambda: len(smtp.messages) >= EMAILS // 5, 120, "mail is going out")
        os.kill(workers[0].pid, signal.SIGKILL)
        _wait_until(lambda: _count(url, rendered) >= CERTIFICATES // 2, 400, "half rendered")
        os.kill(workers[1].pid, signal.SIGKILL)
        for killed in workers[:2]:
            assert killed.wait(timeout=10) == -signal.SIGKILL
        workers.append(_start(env, logs[4]))  # a replacement
        _wait_until(
            lambda: (
                _count(url, rendered) == CERTIFICATES
                and _count(url, "SELECT count(*) FROM mailer_outboundemail WHERE status <> 'sent'")
                == 0
            ),
            400,
            "every certificate is rendered and every e-mail sent",
        )
        time.sleep(1)  # let a straggler (there must be none) show itself
    finally:
        for worker in workers[2:]:
            worker.terminate()
        for worker in workers[2:]:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    elapsed = time.monotonic() - started
    for worker in workers[2:]:
        assert worker.returncode == 0, "a surviving worker did not stop cleanly on SIGTERM"

    # Certificates: every id recorded by exactly one committed batch of one worker.
    per_worker = [_rendered_ids(log) for log in logs]
    assert per_worker[1], "the second killed worker had rendered nothing: no mid-work kill"
    counts = Counter(pk for ids in per_worker for pk in ids)
    all_ids = {pk for (pk,) in servers.query(url, "SELECT id FROM certificates_certificate")}
    assert set(counts) == all_ids
    assert max(counts.values()) == 1, [pk for pk, n in counts.items() if n > 1][:10]
    assert sum(counts.values()) == CERTIFICATES
    assert sum(1 for ids in per_worker[2:] if ids) >= 2, "the work was not shared"

    # Files: each row's file is there with its recorded hash; others are unreferenced orphans
    # of a killed worker's uncommitted batch.
    media = base / "data" / "media"
    rows = servers.query(url, "SELECT pdf, size, sha256 FROM certificates_certificate")
    referenced = set()
    for name, size, sha256 in rows:
        data = (media / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha256), name
        referenced.add(name)
    assert len(referenced) == CERTIFICATES
    on_disk = {str(p.relative_to(media)) for p in (media / "certificates").rglob("*.pdf")}
    orphans = on_disk - referenced
    assert referenced <= on_disk
    assert len(orphans) <= 2 * RENDER_CHUNK, len(orphans)

    # E-mail: every queued message received once, by Message-ID.
    queued = {mid for (mid,) in servers.query(url, "SELECT message_id FROM mailer_outboundemail")}
    received = Counter(str(m["Message-ID"]) for m in smtp.messages)
    backlog_received = {mid: n for mid, n in received.items() if mid in queued}
    assert set(backlog_received) == queued
    twice = [mid for mid, n in received.items() if n > 1]
    assert max(received.values()) <= 2, twice
    assert len(twice) <= 2, twice  # one in-flight message per killed worker at most
    assert elapsed < 600
