"""Partner API ingest benchmark: POST /api/v1/assignments/bulk, 1,000 items per request.

Runs the real HTTP stack (WSGI handler, middleware, auth, ninja, bulk upsert) through
Django's test client against a throw-away database created from DATABASE_URL (PostgreSQL:
``test_<name>``, dropped afterwards). Prints assignments/s for new items (each one issues a
certificate) and for unchanged re-sends.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_api .venv/bin/python bench/api_bulk.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_hub.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ACCESS_LOG", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=5, help="bulk requests of new items")
    parser.add_argument("--items", type=int, default=1000, help="items per request")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    parser.add_argument(
        "--endpoint",
        action="store_true",
        help="the partner has a webhook endpoint subscribed to every event (each certificate "
        "then also writes a delivery row: the cost in docs/webhooks.md)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    settings.PARTNER_API_RATE_PER_MINUTE = 1_000_000
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = measure(args.batches, args.items, endpoint=args.endpoint)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    if args.json:
        print(json.dumps(result))


TARGET = 1_000.0  # assignments/s (issue 10)


def run(quick: bool = False) -> dict[str, Any]:
    """The benchmark in a child process (its own throw-away database); its figures.

    Full: 5 requests of 1,000 new items, then the same 5 again (unchanged); quick: 2 x 200.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    command += ["--batches", "2", "--items", "200"] if quick else ["--batches", "5"]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench/api_bulk.py failed:\n{result.stdout}\n{result.stderr}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def measure(batches: int, size: int, *, endpoint: bool = False) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from compliance_hub.certificates.models import Certificate, Contractor
    from compliance_hub.demo.seed import partner_with_program
    from compliance_hub.facilities.models import Facility
    from compliance_hub.partner_api.keys import create_key

    partner = partner_with_program("Bench Staffing", "bench")
    for i in range(10):
        Facility.objects.create(partner=partner, external_id=f"F-{i}", name=f"Facility {i}")
    for i in range(500):
        Contractor.objects.create(
            partner=partner, external_id=f"C-{i}", first_name="Jo", last_name=f"Smith{i}"
        )
    _, raw = create_key(partner, name="bench")
    if endpoint:
        from compliance_hub.webhooks.events import EVENT_TYPES
        from compliance_hub.webhooks.models import WebhookEndpoint
        from compliance_hub.webhooks.services import generate_secret

        # Nothing is delivered here (no worker runs): the upsert writes the delivery rows.
        WebhookEndpoint.objects.create(
            partner=partner,
            url="https://receiver.example/hook",
            event_types=list(EVENT_TYPES),
            secret=generate_secret(),
        )
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    def payload(batch: int) -> bytes:
        items = [
            {
                "external_id": f"A-{batch}-{i}",
                "facility": f"F-{i % 10}",
                "contractor": f"C-{(batch * size + i) % 500}",
                "effective_date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "end_date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "description": "Registered nurse, night shift",
            }
            for i in range(size)
        ]
        return json.dumps({"items": items}).encode()

    def post(body: bytes, expect: str) -> float:
        started = time.perf_counter()
        response = client.post(
            "/api/v1/assignments/bulk", body, content_type="application/json", secure=True
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:500]
        assert response.json()[expect] == size, response.json()
        return elapsed

    bodies = [payload(b) for b in range(batches)]
    post(payload(batches), "created")  # warm-up (imports, caches, first connection)
    new = [post(body, "created") for body in bodies]
    same = [post(body, "unchanged") for body in bodies]
    issued = Certificate.objects.count()
    engine = connection.vendor
    out = sys.stderr if "--json" in sys.argv else sys.stdout
    print(
        f"database: {engine}; {batches} requests x {size} items; {issued} certificates issued",
        file=out,
    )
    result: dict[str, Any] = {
        "name": "partner API bulk upsert",
        "webhook_endpoint": endpoint,
        "database": engine,
        "requests": batches,
        "items_per_request": size,
        "certificates_issued": issued,
        "target": TARGET,
        "unit": "assignments/s",
    }
    for label, times in (("new", new), ("unchanged", same)):
        rate = size / statistics.median(times)
        best, worst = size / min(times), size / max(times)
        print(
            f"{label:>9}: median {statistics.median(times) * 1000:7.1f} ms/request "
            f"= {rate:8.0f} assignments/s (best {best:.0f}, worst {worst:.0f})",
            file=out,
        )
        result[label] = {
            "per_second": round(rate, 1),
            "median_ms_per_request": round(statistics.median(times) * 1000, 1),
            "best_per_second": round(best, 1),
            "worst_per_second": round(worst, 1),
        }
    return result


if __name__ == "__main__":
    main()
