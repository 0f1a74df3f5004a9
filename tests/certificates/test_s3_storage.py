"""Certificates in S3-compatible storage: a real S3 API (moto server) on loopback."""

import hashlib
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from tests import factories

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

BUCKET = "hub-certificates"
ROOT = Path(__file__).resolve().parents[2]
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


# Loopback ports reserved for this test's S3 server (moto in server mode).
PORTS = range(8510, 8520)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1} for the S3 server")


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert host == "127.0.0.1" and port in PORTS
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    """STORAGES exactly as compliance_hub.settings builds them from S3_BUCKET/S3_ENDPOINT_URL."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "hub-test",
        "AWS_SECRET_ACCESS_KEY": "hub-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    env = {**os.environ, "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint, "DEBUG": "1"}
    script = (
        "import json; from compliance_hub import settings;"
        "print(json.dumps(settings.STORAGES['default']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    default = json.loads(out.stdout.strip().splitlines()[-1])
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": default}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    return client


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def certificate_for(facility) -> Certificate:
    assignment = factories.assignment(facility)
    assignment.refresh_from_db()
    assert assignment.current_certificate is not None
    return assignment.current_certificate


def test_a_certificate_round_trips_through_s3_privately(s3, s3_endpoint, facility):
    certificate = certificate_for(facility)
    before = keys(s3)
    rendered = documents.ensure_rendered(certificate)
    assert keys(s3) == sorted([*before, rendered.pdf.name])

    stored = s3.get_object(Bucket=BUCKET, Key=rendered.pdf.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == rendered.sha256
    assert len(stored) == rendered.size
    assert stored.startswith(b"%PDF-")
    assert documents.open_pdf(Certificate.objects.get(pk=certificate.pk)).read() == stored

    # private: no public grant, and an anonymous request is refused...
    grants = s3.get_object_acl(Bucket=BUCKET, Key=rendered.pdf.name)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GRANTEES]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_endpoint}/{BUCKET}/{rendered.pdf.name}")
    assert refused.value.code == 403
    # ...where a public object would have been served (the check itself works)
    s3.put_object(Bucket=BUCKET, Key="control/public.txt", Body=b"x", ACL="public-read")
    with urllib.request.urlopen(f"{s3_endpoint}/{BUCKET}/control/public.txt") as response:
        assert response.status == 200

    # rendering again stores nothing new
    documents.ensure_rendered(Certificate.objects.get(pk=certificate.pk))
    assert rendered.pdf.name in keys(s3)
    assert len(keys(s3)) == len(before) + 2  # the certificate and the control object


def test_the_worker_renders_into_s3(s3, facility):
    certificates = [certificate_for(facility) for _ in range(3)]
    assert (
        documents.render_pending(
            among=Certificate.objects.filter(pk__in=[c.pk for c in certificates])
        )
        == 3
    )
    for certificate in certificates:
        row = Certificate.objects.get(pk=certificate.pk)
        body = s3.get_object(Bucket=BUCKET, Key=row.pdf.name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == row.sha256


def test_members_download_from_s3_through_the_app_and_others_cannot(s3, client, facility):
    from datetime import date

    from django.urls import reverse

    from compliance_hub.certificates import copies, services

    assignment = factories.assignment(facility, effective=date(2026, 6, 1))
    first = Certificate.objects.get(assignment=assignment)
    services.save_assignment(  # a change: the first certificate is superseded, kept in S3
        partner=facility.partner,
        external_id=assignment.external_id,
        facility=facility,
        contractor=assignment.contractor,
        effective_date=date(2026, 6, 1),
        end_date=date(2026, 6, 3),
        description=assignment.description,
    )
    first.refresh_from_db()
    assert first.status == Certificate.Status.SUPERSEDED
    url = reverse("certificates:download", args=[facility.pk, first.number])
    original = reverse("certificates:original", args=[facility.pk, first.number])

    client.force_login(factories.member(factories.facility(facility.partner)))
    assert client.get(url).status_code == 404  # a member of another facility
    assert client.get(original).status_code == 404

    client.force_login(factories.member(facility))
    response = client.get(original)  # the file as issued (the plain download is stamped)
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    first.refresh_from_db()
    stored = s3.get_object(Bucket=BUCKET, Key=first.pdf.name)["Body"].read()
    assert served == stored
    stamped = b"".join(client.get(url).streaming_content)
    assert stamped == copies.stamped_pdf(first)  # the copy made from the object in S3
    assert hashlib.sha256(served).hexdigest() == first.sha256
