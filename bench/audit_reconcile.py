"""Audit reconciliation of a 50,000-row payment schedule, end to end, on the configured DB.

    DEBUG=1 .venv/bin/python bench/audit_reconcile.py --migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME DEBUG=1 \\
        .venv/bin/python bench/audit_reconcile.py --migrate [--rows 50000] [--xlsx] [--packet]

Builds once (and reuses on later runs) a facility with realistic data: 3,000 contractors
with accented and hyphenated names, 120,000 one-to-five-day assignments over two years, each
with its current certificate, some cancelled (void) and some changed (superseded); plus a
second facility of the same partner. Then it writes a payment schedule (CSV, or XLSX with
``--xlsx``) of ``--rows`` payments — most for days a certificate covers, some not, names
written "Last, First", in capitals or without accents, a few unknown people, a few service
periods, duplicates — and times what a person waits for:

* upload: reading the file (encoding, delimiter, cells) and keeping it until it runs;
* run: reading rows with the guessed mapping, matching every row, saving the result
  (reconciliation, rows, coverage snapshot) and the activity record, in one transaction.

``--packet`` also times building the audit packet (report CSV, XLSX, PDF; no certificate
PDFs). Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_hub.settings")

SLUG = "bench-audit"
CONTRACTORS = 3_000
ASSIGNMENTS_EACH = 40
START = date(2025, 1, 1)
DAYS = 730
FIRST = [
    "José",
    "Zoë",
    "Nguyễn",
    "Łukasz",
    "Siobhán",
    "Aoife",
    "Maria",
    "James",
    "Priya",
    "Kwame",
    "Anne-Marie",
    "Jean Luc",
    "Mary Ann",
    "Chloé",
    "Björn",
    "Ngozi",
    "Tomás",
]
LAST = [
    "García López",
    "Ó Súilleabháin",
    "Nguyễn",
    "Kowalczyk",
    "Okafor",
    "Smith",
    "O'Brien",
    "Brennan-Hart",
    "Lee",
    "van der Berg",
    "Müller",
    "Dubois",
    "Andersson",
    "Novak",
]


SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "dor",
    "vel",
    "sa",
    "tin",
    "bro",
    "quist",
    "ha",
    "ner",
    "ló",
    "zé",
    "wick",
    "stein",
]


def _surname(rng: random.Random) -> str:
    """Mostly invented surnames (so most names are unique), some common ones (so some aren't)."""
    if rng.random() < 0.03:
        return rng.choice(LAST)
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice([2, 3, 3])))
    return word.capitalize() + (f"-{rng.choice(LAST)}" if rng.random() < 0.1 else "")


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def build_facility(contractors_count: int = CONTRACTORS):  # type: ignore[no-untyped-def]
    """The bench facility, created on first use (bulk inserts through the real models)."""
    from django.db import transaction

    from compliance_hub.accounts.models import Person
    from compliance_hub.certificates import issuance
    from compliance_hub.certificates.models import (
        Assignment,
        Certificate,
        Contractor,
        contractor_names,
    )
    from compliance_hub.certificates.names import search_key
    from compliance_hub.demo.seed import partner_with_program
    from compliance_hub.facilities.models import Facility, Membership

    existing = Facility.objects.filter(partner__slug=SLUG, external_id="BENCH-AUDIT").first()
    if existing is not None:
        print(f"reusing facility {existing.pk} ({existing.assignments.count():,} assignments)")
        _as_rendered()
        return existing, Person.objects.get(email="bench-audit@example.com")
    started = time.perf_counter()
    # All or nothing: an interrupted build must not leave a half-built facility that a later
    # run would reuse.
    with transaction.atomic():
        rng = random.Random(8)
        partner = partner_with_program("Bench Audit Staffing", SLUG)
        facility = Facility.objects.create(
            partner=partner, external_id="BENCH-AUDIT", name="Bench General"
        )
        other = Facility.objects.create(
            partner=partner, external_id="BENCH-OTHER", name="Bench Annex"
        )
        person = Person.objects.create_user("bench-audit@example.com")
        Membership.objects.create(person=person, facility=facility)
        program = issuance.program_snapshot(partner)
        contractors = []
        for i in range(contractors_count):
            first, last = rng.choice(FIRST), _surname(rng)
            c = Contractor(
                partner=partner,
                external_id=f"BC-{i}",
                first_name=first,
                last_name=last,
                email=f"c{i}@bench.example",
            )
            c.search_name = search_key(c.full_name)
            contractors.append(c)
        Contractor.objects.bulk_create(contractors, batch_size=2000)
        contractors = list(Contractor.objects.filter(partner=partner).order_by("id"))
        serial = 0
        for chunk_start in range(0, len(contractors), 250):
            assignments = []
            for c in contractors[chunk_start : chunk_start + 250]:
                day = START + timedelta(days=rng.randrange(0, 20))
                for _ in range(ASSIGNMENTS_EACH):
                    length = rng.choice([1, 1, 1, 2, 3, 5])
                    where = other if rng.random() < 0.1 else facility
                    assignments.append(
                        Assignment(
                            partner=partner,
                            facility=where,
                            contractor=c,
                            external_id=f"BA-{serial}",
                            effective_date=day,
                            end_date=day + timedelta(days=length - 1),
                            description="Registered nurse, night shift",
                            **contractor_names(c),
                        )
                    )
                    serial += 1
                    day += timedelta(days=length + rng.choice([0, 1, 2, 5, 9, 14]))
            Assignment.objects.bulk_create(assignments, batch_size=2000)
            certificates = []
            for a in assignments:
                cert = issuance.new_certificate(
                    a,
                    {
                        "template": "coi-v1",
                        **program,
                        "insured": {"name": a.contractor_name},
                        "assignment": {
                            "effective_date": a.effective_date.isoformat(),
                            "end_date": a.end_date.isoformat(),
                        },
                    },
                )
                if rng.random() < 0.02:
                    cert.status = Certificate.Status.VOID
                    cert.voided_at = cert.issued_at
                    a.status = Assignment.Status.CANCELLED
                certificates.append(cert)
                if rng.random() < 0.02:  # an older version, superseded by the current one
                    old = issuance.new_certificate(a, cert.snapshot)
                    old.status = Certificate.Status.SUPERSEDED
                    certificates.append(old)
            Certificate.objects.bulk_create(certificates, batch_size=2000)
            current = {c.assignment_id: c for c in certificates if c.status != "superseded"}
            for a in assignments:
                a.current_certificate = current[a.pk]
            Assignment.objects.bulk_update(
                assignments, ["current_certificate", "status"], batch_size=2000
            )
    took = time.perf_counter() - started
    print(f"built facility {facility.pk}: {serial:,} assignments in {took:.1f} s")
    _as_rendered()
    return facility, person


def _as_rendered() -> None:
    """The bench partner's certificates as the worker leaves them (``dataset.as_rendered``):
    not a render backlog that the other benchmarks' exports would pay for. The audit packet
    renders the PDFs it cites for real (bench/audit_packet.py)."""
    from bench import dataset
    from compliance_hub.certificates.models import Certificate

    dataset.as_rendered(Certificate.objects.filter(assignment__partner__slug=SLUG))


def schedule(facility, rows: int, as_xlsx: bool) -> bytes:  # type: ignore[no-untyped-def]
    """A payment schedule for ``facility`` with a realistic mix of cases."""
    from compliance_hub.certificates.models import Assignment

    rng = random.Random(50)
    known = list(
        Assignment.objects.filter(facility=facility).values_list(
            "contractor__first_name", "contractor__last_name", "effective_date", "end_date"
        )[:200_000]
    )
    lines: list[list[object]] = [["Payee", "Service from", "Service to", "Payment date", "Amount"]]
    while len(lines) <= rows:
        first, last, start, end = rng.choice(known)
        kind = rng.random()
        day = start + timedelta(days=rng.randrange(0, (end - start).days + 1))
        until = ""
        if kind < 0.10:
            day = end + timedelta(days=rng.randrange(1, 20))  # often not covered
        elif kind < 0.12:
            until = (day + timedelta(days=rng.randrange(1, 15))).strftime("%m/%d/%Y")
        if kind > 0.97:
            name = f"{rng.choice(FIRST)} Unknownperson{rng.randrange(500)}"
        elif kind > 0.90:
            name = f"{last}, {first}"
        elif kind > 0.85:
            name = _plain(f"{first} {last}").upper()
        else:
            name = f"{first} {last}"
        amount = f"${rng.randrange(80, 2500):,}.{rng.randrange(100):02d}"
        lines.append(
            [
                name,
                day.strftime("%m/%d/%Y"),
                until,
                (day + timedelta(days=14)).strftime("%m/%d/%Y"),
                amount,
            ]
        )
        if rng.random() < 0.005:
            lines.append(list(lines[-1]))
    lines = lines[: rows + 1]
    if as_xlsx:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Payments")
        for line in lines:
            sheet.append(line)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue().encode("utf-8")


TARGET_SECONDS = 10.0  # issue 10: reconciliation of 50,000 rows in under 10 s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--xlsx", action="store_true", help="upload XLSX instead of CSV")
    parser.add_argument("--packet", action="store_true", help="also time the audit packet")
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    parser.add_argument(
        "--contractors", type=int, default=CONTRACTORS, help="of the bench facility (built once)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    args = parser.parse_args()
    stdout = sys.stdout
    if args.json:
        sys.stdout = sys.stderr  # progress lines; the figures go to stdout at the end
    result = measure(args.rows, args.xlsx, args.packet, args.migrate, args.contractors)
    if args.json:
        stdout.write(json.dumps(result) + "\n")


def run(quick: bool = False) -> dict[str, Any]:
    """In a child process on ``DATABASE_URL``: 50,000 rows (quick: 2,000 rows, smaller facility)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json", "--migrate", "--packet"]
    if quick:
        command += ["--rows", "2000", "--contractors", "150"]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench/audit_reconcile.py failed:\n{result.stdout}\n{result.stderr}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def measure(
    rows: int, xlsx: bool, packet: bool, migrate: bool, contractors: int = CONTRACTORS
) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if migrate:
        call_command("migrate", verbosity=0)
    settings.DEBUG = False  # no query log in memory
    from compliance_hub.audits import services
    from compliance_hub.audits.columns import guess_mapping

    facility, person = build_facility(contractors)
    data = schedule(facility, rows, xlsx)
    kind = "XLSX" if xlsx else "CSV"
    print(
        f"database: {connection.vendor}; schedule: {rows:,} rows, {kind}, "
        f"{len(data) / 1024 / 1024:.1f} MB"
    )

    c0, t0 = time.process_time(), time.perf_counter()
    upload = services.keep_upload(facility, person, f"bench.{kind.lower()}", data)
    c1, t1 = time.process_time(), time.perf_counter()
    mapping = guess_mapping(services.table_of(upload).header)
    reconciliation = services.run(upload, mapping, include_unreadable=True, person=person)
    c2, t2 = time.process_time(), time.perf_counter()
    totals = reconciliation.totals
    load = os.getloadavg()[0]
    print(f"                          wall      this process's CPU   (load average {load:.1f})")
    print(f"upload (read + keep)      {t1 - t0:6.2f} s  {c1 - c0:6.2f} s")
    print(f"run (match + save)        {t2 - t1:6.2f} s  {c2 - c1:6.2f} s")
    print(
        f"end to end                {t2 - t0:6.2f} s  {c2 - c0:6.2f} s   "
        f"for {reconciliation.row_count:,} rows"
    )
    counted = {k: v["count"] for k, v in totals.items() if isinstance(v, dict) and "count" in v}
    print("statuses: " + ", ".join(f"{k} {n:,}" for k, n in counted.items()))
    result: dict[str, Any] = {
        "name": "payment-schedule reconciliation",
        "database": connection.vendor,
        "rows": reconciliation.row_count,
        "format": kind,
        "facility_assignments": facility.assignments.count(),
        "upload_s": round(t1 - t0, 2),
        "run_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "total_cpu_s": round(c2 - c0, 2),
        "target_s": TARGET_SECONDS,
        "statuses": counted,
        "load_average": round(load, 1),
    }
    if packet:
        from compliance_hub.audits.reports.packet import stream_packet

        c3, t3 = time.process_time(), time.perf_counter()
        size = sum(len(chunk) for chunk in stream_packet(reconciliation, False))
        took = time.perf_counter() - t3
        print(
            f"audit packet (no PDFs)    {took:6.2f} s  "
            f"{time.process_time() - c3:6.2f} s   {size / 1024 / 1024:.1f} MB"
        )
        result["packet_s"] = round(took, 2)
        result["packet_mb"] = round(size / 1024 / 1024, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process  {peak:6.0f} MB")
    result["peak_rss_mb"] = round(peak)
    return result


if __name__ == "__main__":
    main()
