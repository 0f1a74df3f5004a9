"""One week's digests for every facility of the benchmark dataset: generation only.

    .venv/bin/python bench/digest.py [--quick] [--json]

Uses the dataset (``bench/dataset.py`` builds or reuses it and applies newer migrations).
Inside one transaction that is rolled back at the end, so the dataset is left as it was, it
gives every facility two people — a primary contact who joined long ago and a member who
joined this week — and a reconciliation run this week to every tenth facility, then times
``notifications.services.build_digests`` (its two steps) for the week of the dataset's build:
every one of its certificates was issued in that week and its void and superseded ones
changed in it, so each facility reports thousands of new certificates (the worst week there
can be). Timed: the five grouped queries for all facilities at once, the recipients, and
rendering and enqueueing every e-mail into the outbox (rolled back with the rest: nothing is
sent).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 60.0  # issue 20: a week's digests for all facilities in under a minute


class _Rollback(Exception):
    pass


def _setup(quick: bool, say: Any) -> dict[str, Any]:
    from bench import dataset

    info = dataset.build(quick=quick, log=say)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "compliance_hub.settings",
            "DATABASE_URL": info["url"],
            "DEBUG": "0",
            "SECRET_KEY": "bench-digest-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "MAIL_SEND_ON_COMMIT": "0",
            "EMAIL_URL": "smtp://127.0.0.1:9",  # never reached: nothing is committed
        }
    )
    import django

    django.setup()
    return info


def _people(week_start: datetime) -> int:
    """Two people per facility and a reconciliation at every tenth one; how many people."""
    from compliance_hub.accounts.models import Person
    from compliance_hub.audits.models import Reconciliation
    from compliance_hub.facilities.models import Facility, Membership

    facilities = list(Facility.objects.order_by("pk").values_list("pk", flat=True))
    people = Person.objects.bulk_create(
        [
            Person(email=f"{role}{pk}@bench-digest.example", name=f"{role.title()} {pk}")
            for pk in facilities
            for role in ("primary", "member")
        ],
        batch_size=2000,
    )
    joined_long_ago = week_start - timedelta(days=400)
    memberships = []
    for index, pk in enumerate(facilities):
        primary, member = people[2 * index], people[2 * index + 1]
        memberships.append(
            Membership(person=primary, facility_id=pk, role="primary", created_at=joined_long_ago)
        )
        memberships.append(
            Membership(
                person=member,
                facility_id=pk,
                role="member",
                created_at=week_start + timedelta(days=2),
            )
        )
    Membership.objects.bulk_create(memberships, batch_size=2000)
    Reconciliation.objects.bulk_create(
        [
            Reconciliation(
                facility_id=pk,
                created_by=people[2 * index],
                created_by_label=people[2 * index].email,
                created_at=week_start + timedelta(days=3),
                file_name="payments.csv",
                file_kind="csv",
                file_size=1000,
                file_sha256="0" * 64,
                date_basis="work",
                row_count=120,
                totals={},
            )
            for index, pk in enumerate(facilities)
            if index % 10 == 0
        ],
        batch_size=2000,
    )
    return len(people)


def measure(quick: bool, say: Any) -> dict[str, Any]:
    info = _setup(quick, say)
    from django.db import connection, transaction
    from django.urls import reverse

    from compliance_hub.certificates.models import Certificate
    from compliance_hub.mailer.models import OutboundEmail
    from compliance_hub.notifications import queries, services

    reverse("notifications:settings")  # the URL map loads once per worker process: not timed
    built = Certificate.objects.order_by("-issued_at").values_list("issued_at", flat=True)[0]
    # The week that ends a day after the build: it holds every certificate of the dataset.
    end = built.replace(microsecond=0) + timedelta(days=1)
    start = end - timedelta(days=7)
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            people = _people(start)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE accounts_person, facilities_membership")
            say(f"digest: {people:,} people at {info['facilities']:,} facilities")
            t0 = time.perf_counter()
            news = queries.week_news(start, end)
            t1 = time.perf_counter()
            recipients = queries.digest_recipients()
            t2 = time.perf_counter()
            emails = services.queue_digests(news, start, end)
            t3 = time.perf_counter()
            queued = OutboundEmail.objects.filter(template="notifications/email/digest").count()
            assert queued == emails, (queued, emails)
            reported = sum(n.new.count for n in news.values())
            result = {
                "name": "Weekly digest: one week, every facility (generation + outbox)",
                "facilities": info["facilities"],
                "assignments": info["assignments"],
                "people": len(recipients),
                "emails": emails,
                "new_certificates_reported": reported,
                "void_reported": sum(n.void.count for n in news.values()),
                "superseded_reported": sum(n.superseded.count for n in news.values()),
                "news_queries_s": round(t1 - t0, 2),
                "recipients_s": round(t2 - t1, 2),
                # the recipients again, then every e-mail rendered (text, HTML) and enqueued
                "emails_s": round(t3 - t2, 2),
                "figure": round(t3 - t0, 2),
                "unit": "s",
                "target": TARGET_S,
                "meets_target": (t3 - t0) < TARGET_S,
            }
            say(
                f"digest: {emails:,} e-mails for {len(news):,} facilities "
                f"({reported:,} new certificates reported): news queries "
                f"{t1 - t0:.1f} s, recipients {t2 - t1:.1f} s, e-mails {t3 - t2:.1f} s; "
                f"in all {t3 - t0:.1f} s"
            )
            raise _Rollback
    except _Rollback:
        pass
    return result


def run(quick: bool = False) -> dict[str, Any]:
    """In a child process (its own Django setup on the dataset); the figures."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"bench/digest.py failed:\n{done.stdout[-3000:]}\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the 50,000-assignment dataset")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    args = parser.parse_args()
    stdout = sys.stdout
    if args.json:
        sys.stdout = sys.stderr

    def say(line: str) -> None:
        print(line, file=sys.stderr if args.json else sys.stdout, flush=True)

    result = measure(args.quick, say)
    if args.json:
        stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
