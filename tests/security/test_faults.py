"""Faults against real services on loopback: object storage down during issuance, and a
PostgreSQL restart under a running gunicorn. (SMTP down then up — retried, delivered exactly
once — is tests/mailer/test_delivery.py::test_smtp_down_then_up_delivers_exactly_once.)

Ports: 8530-8549 (this area's range).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.test import Client
from moto.server import ThreadedMotoServer

from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Assignment, Certificate
from compliance_hub.partner_api.keys import create_key
from tests import factories
from tests.deploy import servers
from tests.security.private_pg import private_cluster

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BUCKET = "hub-faults"
S3_PORT = 8533
PG_PORT, WEB_PORT = 8534, 8535


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def s3_server(settings, monkeypatch):
    """A moto S3 server on loopback, configured as compliance_hub.settings builds STORAGES."""
    assert _port_free(S3_PORT), f"port {S3_PORT} is taken"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "hub-test",
        "AWS_SECRET_ACCESS_KEY": "hub-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "2",
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=S3_PORT, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{S3_PORT}"
    env = {**os.environ, "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": endpoint, "DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, "-c", "import json; from compliance_hub import settings as s;"
         "print(json.dumps(s.STORAGES['default']))"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    settings.STORAGES = {**settings.STORAGES, "default": json.loads(out.stdout.splitlines()[-1])}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield server, client
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_storage_down_during_issuance_loses_nothing_and_renders_once_it_is_back(s3_server):
    server, s3 = s3_server
    facility = factories.facility(external_id="FAC-S3")
    factories.contractor(facility.partner, "Ada", "Stone", external_id="C-ADA")
    _, raw = create_key(facility.partner, name="faults")
    member = factories.member(facility)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    web = Client(raise_request_exception=False)
    web.force_login(member)

    server.stop()  # object storage is down
    sent = [f"A-{i}" for i in range(5)]
    for external_id in sent:
        response = api.put(
            f"/api/v1/assignments/{external_id}",
            {
                "facility": "FAC-S3",
                "contractor": "C-ADA",
                "effective_date": "2026-04-01",
                "end_date": "2026-04-02",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["current_certificate"]["number"]
    # Every accepted assignment has its certificate; none is rendered (storage is down).
    assignments = Assignment.objects.filter(facility=facility)
    assert sorted(a.external_id for a in assignments) == sent
    assert all(a.current_certificate_id for a in assignments)
    failed: set[int] = set()
    assert documents.render_pending(failed=failed) == 0
    assert len(failed) == 5
    assert not Certificate.objects.filter(rendered_at__isnull=False).exists()
    number = assignments.first().current_certificate.number
    down = web.get(f"/facilities/{facility.pk}/certificates/{number}/")
    assert down.status_code == 503  # nothing half-stored to serve; "try again shortly"
    assert down["Retry-After"] == "30"
    assert b"not available right now" in down.content
    assert not Certificate.objects.filter(rendered_at__isnull=False).exists()

    server.start()  # storage is back: the worker catches up
    assert documents.render_pending() == 5
    assert documents.render_pending() == 0
    assert Certificate.objects.filter(assignment__facility=facility).count() == 5  # no dupes
    stored = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert len(stored) == 5
    pdf = web.get(f"/facilities/{facility.pk}/certificates/{number}/")
    assert pdf.status_code == 200
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert hashlib.sha256(body).hexdigest() == Certificate.objects.get(number=number).sha256


def _api(port: int, method: str, path: str, key: str, body: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Host": "127.0.0.1", "Authorization": f"Bearer {key}"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_requests_after_a_postgresql_restart_succeed(tmp_path):
    """A private cluster (never the shared server) restarted under a running gunicorn."""
    assert _port_free(PG_PORT) and _port_free(WEB_PORT)
    with private_cluster(PG_PORT) as pg:
        url = pg.create_database("hub")
        env = servers.production_env(tmp_path, url, MAIL_SEND_ON_COMMIT="0", GUNICORN_THREADS="4")
        servers.hub(env, "migrate", "--noinput")
        key = servers.hub(env, "create-partner", "Restart Staffing").strip().splitlines()[-1]
        with servers.gunicorn(env, WEB_PORT, tmp_path / "gunicorn.log") as web:
            for i in range(8):  # every thread opens its persistent connection
                status, _ = _api(WEB_PORT, "PUT", f"/api/v1/facilities/F-{i}", key, {"name": "x"})
                assert status == 201
            pg.restart()  # every open connection is cut
            after = [_api(WEB_PORT, "GET", "/api/v1/facilities", key) for _ in range(8)]
            assert [status for status, _ in after] == [200] * 8, web.output()[-3000:]
            assert len(json.loads(after[-1][1])["items"]) == 8
            status, _ = _api(WEB_PORT, "PUT", "/api/v1/facilities/F-after", key, {"name": "y"})
            assert status == 201
            assert _api(WEB_PORT, "GET", "/readyz", key)[0] == 200
        rows = servers.query(url, "SELECT count(*) FROM facilities_facility")
        assert rows == [(9,)]
