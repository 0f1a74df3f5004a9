"""Load test: sign-ins, certificate table pages, PDF downloads and API bulk upserts at once,
against gunicorn (gunicorn.conf.py, production settings) and PostgreSQL.

Every request must succeed (error count 0). Afterwards the database is counted against what
was sent: every assignment sent exists exactly once, with exactly one current certificate.

    .venv/bin/python bench/load.py              # 3 minutes
    .venv/bin/python bench/load.py --quick      # about 20 seconds
    LOAD_DATABASE=h_sec LOAD_PORT=8540 .venv/bin/python bench/load.py --users 8 --json

The database ``LOAD_DATABASE`` (default ``h_sec``) on the PostgreSQL server of
``LOAD_PG`` (default postgres://postgres@127.0.0.1:5432) is dropped and created afresh.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.deploy import servers  # noqa: E402  (helpers: gunicorn, hub commands, Browser)

PG = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("LOAD_DATABASE", "h_sec")
PORT = int(os.environ.get("LOAD_PORT", "8540"))
BULK_ITEMS = 20

SEED = """
import json
from datetime import date, timedelta
from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import Person, SignInToken
from compliance_hub.certificates import services
from compliance_hub.certificates.models import Contractor
from compliance_hub.demo.seed import partner_with_program
from compliance_hub.facilities.models import Facility, Membership
from compliance_hub.partner_api.keys import create_key

partner = partner_with_program("Load Staffing", "load", {"A": ("Granite Mutual", "24512")})
facility = Facility.objects.create(partner=partner, external_id="F-LOAD", name="Load Test Hospital")
contractors = [Contractor.objects.create(partner=partner, external_id=f"C-{i}", first_name="Jo",
               last_name=f"Smith{i}") for i in range(50)]
numbers = []
for i in range(200):
    day = date(2025, 1, 1) + timedelta(days=i)
    result = services.save_assignment(partner=partner, external_id=f"SEED-{i}", facility=facility,
        contractor=contractors[i % 50], effective_date=day, end_date=day, description="Shift")
    numbers.append(result.assignment.current_certificate.number)
people = []
for i in range(__PEOPLE__):
    person = Person.objects.create_user(f"load{i}@example.com")
    Membership.objects.create(person=person, facility=facility)
    people.append(person)
raw_tokens = [tokens.issue(purpose=SignInToken.Purpose.SIGN_IN, email=p.email, person=p,
              ttl=3600).raw for p in people]
_, key = create_key(partner, name="load")
print("SEED " + json.dumps({"facility": facility.pk, "numbers": numbers, "tokens": raw_tokens,
                             "key": key}))
"""


class Load:
    def __init__(self, seed: dict[str, Any], duration: float, users: int) -> None:
        self.seed = seed
        self.duration = duration
        self.users = users
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.sent: set[str] = set()
        self.bulk_bodies: list[bytes] = []
        self.tokens = list(seed["tokens"])
        self.table = f"/facilities/{seed['facility']}/certificates/"

    def timed(self, kind: str, call: Any, expect: tuple[int, ...]) -> Any:
        started = time.perf_counter()
        try:
            response = call()
        except Exception as exc:  # a refused or dropped connection is an error too
            with self.lock:
                self.errors.append(f"{kind}: {exc!r}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if response.status not in expect:
                self.errors.append(f"{kind}: HTTP {response.status} {response.body[:200]!r}")
        return response

    def api(self, method: str, path: str, body: bytes) -> servers.Response:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        try:
            connection.request(
                method,
                path,
                body=body,
                headers={
                    "Host": "127.0.0.1",
                    "Authorization": f"Bearer {self.seed['key']}",
                    "Content-Type": "application/json",
                },
            )
            raw = connection.getresponse()
            return servers.Response(raw.status, dict(raw.getheaders()), {}, raw.read().decode())
        finally:
            connection.close()

    def sign_in(self, browser: servers.Browser) -> bool:
        """Sign ``browser`` in with one of the prepared links; False when none is left."""
        with self.lock:
            token = self.tokens.pop() if self.tokens else None
        if token is None:
            return False
        opened = self.timed("sign-in", lambda: browser.get(PORT, f"/sign-in/{token}/"), (302,))
        if opened is None:
            return False
        confirm = self.timed("sign-in", lambda: browser.get(PORT, "/sign-in/confirm/"), (200,))
        if confirm is None or confirm.status != 200:
            return False
        form = {"csrfmiddlewaretoken": servers.csrf_token(confirm.body)}
        done = self.timed("sign-in", lambda: browser.post(PORT, "/sign-in/confirm/", form), (302,))
        return done is not None and done.status == 302

    def bulk(self, worker: int, n: int) -> None:
        if self.bulk_bodies and random.random() < 0.2:  # the same payload again: no change
            body = random.choice(self.bulk_bodies)
        else:
            items = []
            for i in range(BULK_ITEMS):
                external_id = f"L-{worker}-{n}-{i}"
                day = 1 + (n + i) % 28
                items.append(
                    {
                        "external_id": external_id,
                        "facility": "F-LOAD",
                        "contractor": f"C-{(n + i) % 50}",
                        "effective_date": f"2026-05-{day:02d}",
                        "end_date": f"2026-05-{day:02d}",
                        "description": "Load test shift",
                    }
                )
            body = json.dumps({"items": items}).encode()
            with self.lock:
                self.sent.update(item["external_id"] for item in items)
        answer = self.timed(
            "api-bulk", lambda: self.api("POST", "/api/v1/assignments/bulk", body), (200,)
        )
        if answer is not None and answer.status == 200:
            # Only a payload that was answered is sent again (a client's replay): the same
            # payload twice *at once* is a documented 409 "retry" (tests/partner_api).
            with self.lock:
                self.bulk_bodies.append(body)

    def user(self, worker: int, deadline: float) -> None:
        rng = random.Random(worker)
        browser = servers.Browser()
        self.sign_in(browser)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            pick = rng.random()
            if pick < 0.40:
                params = rng.choice(["", "?sort=name", "?preset=last_year", "?q=smith1"])
                self.timed("table", lambda b=browser, p=params: b.get(PORT, self.table + p), (200,))
            elif pick < 0.65:
                number = rng.choice(self.seed["numbers"])
                path = f"{self.table}{number}/download/"
                self.timed("download", lambda b=browser, p=path: b.get(PORT, p), (200,))
            elif pick < 0.75:
                # Another person signs in on a new browser; once the prepared links are
                # used up, the current one carries on (an unsigned browser would only
                # collect redirects to the sign-in page).
                fresh = servers.Browser()
                if self.sign_in(fresh):
                    browser = fresh
            else:
                self.bulk(worker, n)

    def run(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.duration
        started = time.perf_counter()
        threads = [
            threading.Thread(target=self.user, args=(i, deadline)) for i in range(self.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        everything = [x for values in self.latencies.values() for x in values]
        return {
            "duration_s": round(elapsed, 1),
            "users": self.users,
            "requests": len(everything),
            "throughput_rps": round(len(everything) / elapsed, 1),
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "p50_ms": round(_pct(everything, 50) * 1000, 1),
            "p95_ms": round(_pct(everything, 95) * 1000, 1),
            "by_kind": {
                kind: {
                    "requests": len(values),
                    "p95_ms": round(_pct(values, 95) * 1000, 1),
                    "mean_ms": round(statistics.fmean(values) * 1000, 1),
                }
                for kind, values in sorted(self.latencies.items())
            },
            "assignments_sent": len(self.sent),
        }


def _pct(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def _recreate(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def _count(url: str, sent: set[str]) -> dict[str, Any]:
    """What the database holds for the load test's assignments, against what was sent."""
    rows = servers.query(
        url,
        """
        SELECT a.external_id, a.current_certificate_id IS NOT NULL,
               (SELECT count(*) FROM certificates_certificate c
                 WHERE c.assignment_id = a.id AND c.status = 'issued')
          FROM certificates_assignment a
         WHERE a.external_id LIKE 'L-%%'
        """,
    )
    stored = [external_id for external_id, _, _ in rows]
    return {
        "assignments_stored": len(stored),
        "lost": len(sent - set(stored)),
        "unexpected": len(set(stored) - sent),
        "duplicated": len(stored) - len(set(stored)),
        "without_certificate": sum(1 for _, has, _ in rows if not has),
        "certificates_issued": sum(n for _, _, n in rows),
        "assignments_with_more_than_one_current_certificate": sum(1 for *_, n in rows if n > 1),
    }


def run(
    quick: bool = False, users: int = 8, duration: float | None = None, port: int | None = None
) -> dict[str, Any]:
    """Seed, start gunicorn, drive the load, stop, count. Returns the figures.

    The database is always ``LOAD_DATABASE`` (dropped and created afresh), never the
    benchmark dataset: bench/run.py's ``DATABASE_URL`` is deliberately not used.
    """
    global PORT
    if port is not None:
        PORT = port
    duration = duration if duration is not None else (20.0 if quick else 180.0)
    url = _recreate(DATABASE)
    base = Path(tempfile.mkdtemp(prefix="hub-load-"))
    env = servers.production_env(
        base,
        url,
        MAIL_SEND_ON_COMMIT="0",
        ACCESS_LOG="0",
        LOG_LEVEL="WARNING",
        SIGN_IN_RATE_PER_ADDRESS="1000000",
        SIGN_IN_RATE_PER_IP="1000000",
        PARTNER_API_RATE_PER_MINUTE="1000000",
        GUNICORN_WORKERS=os.environ.get("GUNICORN_WORKERS", "2"),
        GUNICORN_THREADS=os.environ.get("GUNICORN_THREADS", "4"),
    )
    servers.hub(env, "migrate", "--noinput")
    people = max(users * 4, int(duration * users / 2))
    out = servers.hub(env, "shell", "-c", SEED.replace("__PEOPLE__", str(people)))
    seed = json.loads(out.split("SEED ", 1)[1].strip().splitlines()[0])
    with servers.gunicorn(env, PORT, base / "gunicorn.log") as web:
        load = Load(seed, duration, users)
        figures = load.run()
        figures["server_log_tail"] = "\n".join(web.output().splitlines()[-5:])
    figures.update(_count(url, load.sent))
    figures["ok"] = bool(
        figures["errors"] == 0
        and figures["lost"] == 0
        and figures["unexpected"] == 0
        and figures["duplicated"] == 0
        and figures["without_certificate"] == 0
        and figures["certificates_issued"] == figures["assignments_stored"]
    )
    figures["database"] = DATABASE
    figures["gunicorn"] = f"{env['GUNICORN_WORKERS']} workers x {env['GUNICORN_THREADS']} threads"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 20 seconds")
    parser.add_argument("--duration", type=float, help="seconds of load (default 180)")
    parser.add_argument("--users", type=int, default=8, help="concurrent simulated users")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    args = parser.parse_args()
    figures = run(args.quick, users=args.users, duration=args.duration)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    sys.exit(0 if figures["ok"] else 1)


if __name__ == "__main__":
    main()
