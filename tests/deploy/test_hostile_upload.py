"""A crafted upload cannot monopolise a worker: on a real single-worker gunicorn server, while
a signed-in facility member's crafted workbook is being read, /healthz and the certificate
table keep answering within a second; the upload answers with a clear error; nothing is kept.
"""

from __future__ import annotations

import http.client
import random
import secrets
import sqlite3
import threading
import time

import pytest

from tests.audits.helpers import package, workbook_parts
from tests.deploy import servers

pytestmark = pytest.mark.slow

(PORT,) = servers.free_ports(1)
SEED = """
from django.conf import settings
from django.test import Client
from django.urls import reverse
from compliance_hub.accounts.models import Person
from compliance_hub.facilities.models import Facility, Membership, Partner

partner = Partner.objects.create(name="Hostile Upload Staffing", slug="hostile-upload")
facility = Facility.objects.create(partner=partner, external_id="F1", name="Riverside Care Home")
person = Person.objects.create_user("member@example.com")
Membership.objects.create(person=person, facility=facility)
client = Client()
client.force_login(person)
name = settings.SESSION_COOKIE_NAME
print("SEED", name, client.cookies[name].value,
      reverse("audits:upload", args=[facility.pk]),
      reverse("certificates:table", kwargs={"facility_id": facility.pk}))
"""


def regex_killer() -> bytes:
    """1 MB of unclosed cells in one row: minutes of CPU for the old regex reader."""
    unit = '<c r="A1" t="s"'
    return package(workbook_parts('<row r="1">' + unit * 60_000 + "</row>", prefix=""))


def busy_reader() -> bytes:
    """170 MB of plain rows that pass every check on the package: the reader works for
    seconds, until its time limit or the end of the sheet (too many cells)."""
    rng = random.Random(7)
    block = b"".join(
        b"<row><c><v>%d</v></c><c><v>%d</v></c></row>" % (rng.randrange(100), rng.randrange(100))
        for _ in range(10_000)
    )
    return package(workbook_parts(block * 400, prefix=""))


def post_file(cookies: dict[str, str], path: str, token: str, data: bytes) -> tuple[int, str]:
    boundary = secrets.token_hex(16)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="schedule"; '
            'filename="schedule.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Host": "127.0.0.1",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def upload_while_probing(
    browser: servers.Browser, upload: str, table: str, data: bytes
) -> tuple[int, str, list[float]]:
    """Upload ``data``; meanwhile time /healthz and the table page one after the other."""
    token = servers.csrf_token(browser.get(PORT, upload).body)
    answer: list[tuple[int, str]] = []
    worker = threading.Thread(
        target=lambda: answer.append(post_file(browser.cookies, upload, token, data))
    )
    worker.start()
    timings: list[float] = []
    while worker.is_alive():
        for path in ("/healthz", table):
            started = time.monotonic()
            assert browser.get(PORT, path).status == 200
            timings.append(time.monotonic() - started)
        time.sleep(0.05)
    worker.join()
    return *answer[0], timings


def test_a_crafted_upload_is_refused_while_the_same_worker_keeps_serving(tmp_path):
    env = servers.production_env(
        tmp_path, f"sqlite:///{tmp_path / 'hub.sqlite3'}", TMPDIR=str(tmp_path / "tmp")
    )
    (tmp_path / "tmp").mkdir()
    servers.hub(env, "migrate", "--noinput")
    cookie, value, upload, table = servers.hub(env, "shell", "-c", SEED).split("SEED")[1].split()
    browser = servers.Browser({cookie: value})
    killer, busy = regex_killer(), busy_reader()

    with servers.gunicorn(env, PORT, tmp_path / "gunicorn.log"):
        assert browser.get(PORT, table).status == 200
        status, html, timings = upload_while_probing(browser, upload, table, killer)
        assert status == 400
        assert "This workbook could not be read (it may be damaged)." in html
        assert timings and max(timings) < 1, timings

        status, html, timings = upload_while_probing(browser, upload, table, busy)
        assert status == 400
        # Which limit stops it first depends on the machine's speed: the reader's 5 s, or the
        # cell count it reaches (4,000,000 rows) when it reads fast enough. Either is a refusal
        # naming its limit, and the worker kept answering throughout.
        assert (
            "Reading the workbook took longer than 5 seconds, the limit." in html
            or "(8,000,000 cells); the limit is 2,000,000 cells." in html
        )
        assert len(timings) >= 2 and max(timings) < 1, timings

    with sqlite3.connect(tmp_path / "hub.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM audits_pendingupload").fetchone() == (0,)
    assert not any((tmp_path / "tmp").iterdir())  # no upload left in temporary files
    media = tmp_path / "media"
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))
