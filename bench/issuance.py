"""Certificate issuance throughput: snapshot + PDF + store, end to end, on the configured DB.

    DEBUG=1 .venv/bin/python bench/issuance.py [-n 600] [--migrate]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME DEBUG=1 .venv/bin/python bench/issuance.py

Times, in one process (one core), N certificates issued through the real code path:
``issuance.issue_for`` (coverage snapshot, number, check code, certificate row) and the
worker's ``documents.render_pending`` (PDF rendered from the snapshot, stored through Django's
default storage, SHA-256 and size recorded): one at a time, in batches of 100, and through the
partner API's bulk upsert (``certificates.bulk``). For context it also times a blank
one-page fpdf2 document (the library's floor) and the renderer alone. Contractor names carry
accents (José, Zoë, Nguyễn, ...). The rows and files it creates are removed afterwards unless
``--keep`` is given.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_hub.settings")

FIRST = ["José", "Zoë", "Nguyễn", "Łukasz", "Siobhán", "Aoife", "Maria", "James", "Priya", "Kwame"]
LAST = ["García", "Ó Súilleabháin", "Nguyễn", "Kowalczyk", "Okafor", "Smith", "Brennan", "Lee"]
WORK = [
    "Registered nurse, night shift",
    "Licensed practical nurse, medical-surgical unit",
    "Certified nursing assistant, memory care",
    "Forklift operator, inbound dock",
    "Event security, north concourse",
]


def timed(label: str, count: int, fn: Callable[[int], object], unit: str) -> float:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(count):
        fn(i)
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    print(
        f"{label:<44} {wall / count * 1000:7.2f} ms/{unit}  {count / wall:8.0f} {unit}s/s"
        f"   (this process's CPU: {cpu / count * 1000:.2f} ms/{unit})"
    )
    return count / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=600, help="certificates to issue (default 600)")
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    parser.add_argument("--batch", type=int, default=100, help="batch size (default 100)")
    parser.add_argument("--keep", action="store_true", help="keep the rows and files created")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor
    from fpdf import FPDF

    from compliance_hub.certificates import documents, issuance, services
    from compliance_hub.certificates.models import Assignment, Certificate, Contractor
    from compliance_hub.facilities.models import CoverageLine, Facility, Insurer, Partner

    if args.migrate:
        call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("The database has unapplied migrations: run with --migrate (or migrate).")

    print(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    default_storage.exists("warm-up")  # instantiate the lazy storage
    print(f"storage:  {type(default_storage._wrapped).__name__}")  # type: ignore[attr-defined]
    tag = f"bench-{os.getpid()}-{int(time.time())}"
    partner = Partner.objects.create(
        name="Bench Staffing, Inc.",
        slug=tag,
        producer_name="Harbor & Vale Insurance Brokers LLC",
        producer_address="220 Market Street, Suite 400\nColumbus, OH 43215",
        producer_contact_name="Renée Okafor",
        producer_phone="+1 (614) 555-0142",
        producer_email="certificates@harborvale.example",
    )
    a = Insurer.objects.create(partner=partner, letter="A", name="Granite Mutual", naic="24512")
    b = Insurer.objects.create(
        partner=partner, letter="B", name="Northfield Casualty", naic="10345"
    )
    CoverageLine.objects.create(
        partner=partner,
        insurer=a,
        kind=CoverageLine.Kind.GENERAL_LIABILITY,
        policy_number="GL-2026-0042871",
        additional_insured=True,
        subrogation_waived=True,
        limits=[
            ["Each occurrence", 1_000_000],
            ["General aggregate", 3_000_000],
            ["Medical expense (any one person)", 5_000],
        ],
    )
    CoverageLine.objects.create(
        partner=partner,
        insurer=b,
        kind=CoverageLine.Kind.OCCUPATIONAL_ACCIDENT,
        policy_number="OA-771203",
        limits=[["Accidental death", 250_000], ["Medical", 1_000_000]],
    )
    facility = Facility.objects.create(
        partner=partner,
        external_id="F1",
        name="St. Mary's Regional Medical Center",
        address_line1="1200 Mercy Way",
        city="Columbus",
        region="OH",
        postal_code="43215",
    )
    rng = random.Random(5)
    contractors = [
        Contractor.objects.create(
            partner=partner,
            external_id=f"C{i}",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            address_line1=f"{i} Elm Court",
            city="Dublin",
            region="OH",
            postal_code="43017",
        )
        for i in range(50)
    ]
    n = args.n
    start = date(2026, 1, 1)

    def save(i: int, prefix: str) -> Certificate:
        """The full path: validate and write the assignment, issue its certificate."""
        result = services.save_assignment(
            partner=partner,
            external_id=f"{prefix}{i}",
            facility=facility,
            contractor=contractors[i % len(contractors)],
            effective_date=start + timedelta(days=i % 300),
            end_date=start + timedelta(days=i % 300 + i % 5),
            description=WORK[i % len(WORK)],
        )
        assert result.certificate is not None
        return result.certificate

    def bare_assignments(prefix: str) -> list[Assignment]:
        """Assignments written in bulk (as ingest does), with no certificate yet."""
        rows = []
        for i in range(n):
            contractor = contractors[i % len(contractors)]
            rows.append(
                Assignment(
                    partner=partner,
                    facility=facility,
                    contractor=contractor,
                    external_id=f"{prefix}{i}",
                    effective_date=start + timedelta(days=i % 300),
                    end_date=start + timedelta(days=i % 300 + i % 5),
                    description=WORK[i % len(WORK)],
                    contractor_name=contractor.full_name,
                    sort_name=contractor.full_name.lower(),
                )
            )
        Assignment.objects.bulk_create(rows)
        return list(
            Assignment.objects.filter(partner=partner, external_id__startswith=prefix)
            .select_related("partner", "facility", "contractor")
            .order_by("id")
        )

    sample = save(0, "S")
    document = documents.document_for(sample)
    renderer = documents.pdf.renderer_for(sample.template_version)
    renderer(document)  # warm up: fonts are parsed once per process

    def blank(_: int) -> None:
        pdf = FPDF()
        pdf.add_page()
        pdf.output()

    print(f"certificates: {n}\n")
    timed("fpdf2 blank one-page document (floor)", n, blank, "doc")
    timed("render coi-v1 only (no database, no storage)", n, lambda i: renderer(document), "doc")

    print("\none at a time (each step its own transaction, as on first request):")
    plain = bare_assignments("X")
    timed(
        "  issue (snapshot + number + row)",
        n,
        lambda i: issuance.issue_for(plain[i]),
        "certificate",
    )
    fresh = bare_assignments("E")
    single = timed(
        "  issue + render + store",
        n,
        lambda i: documents.ensure_rendered(issuance.issue_for(fresh[i])),
        "certificate",
    )
    full = timed(
        "  save_assignment + render + store",
        n,
        lambda i: documents.ensure_rendered(save(i, "F")),
        "certificate",
    )

    print(f"\nin batches of {args.batch} (bulk ingest issues; the worker renders):")
    batched = bare_assignments("B")
    issued: list[int] = []

    def issue_batch(b: int) -> None:
        with transaction.atomic():  # as a bulk upsert does: the program is read once
            program = issuance.program_snapshot(partner)
            for assignment in batched[b * args.batch : (b + 1) * args.batch]:
                issued.append(issuance.issue_for(assignment, program=program).pk)

    batches = (n + args.batch - 1) // args.batch
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for number in range(batches):
        issue_batch(number)
    issue_wall, issue_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    # the certificates just issued (a primary-key range: as cheap to select as "all pending")
    mine = Certificate.objects.filter(pk__gte=min(issued), pk__lte=max(issued))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    rendered = 0
    while True:
        done = documents.render_pending(args.batch, among=mine)
        rendered += done
        if done < args.batch:
            break
    render_wall, render_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    assert rendered == n, (rendered, n)
    wall = issue_wall + render_wall
    cpu = issue_cpu + render_cpu
    print(
        f"  issue    {issue_wall / n * 1000:6.2f} ms/certificate   "
        f"render + store {render_wall / n * 1000:6.2f} ms/certificate"
    )
    rate = n / wall
    print(
        f"  ISSUE + RENDER + STORE   {wall / n * 1000:6.2f} ms/certificate   "
        f"{rate:6.0f} certificates/s   (this process's CPU: {cpu / n * 1000:.2f} ms, "
        f"{n / cpu:.0f}/s per core)"
    )
    bulk_rate = bulk_path(partner, facility, contractors, n, args.batch, start)
    print(
        f"\nissuance (snapshot + PDF + store): {rate:.0f} certificates/s on one process "
        f"in batches ({bulk_rate:.0f}/s through the partner API's bulk upsert); "
        f"{single:.0f}/s one at a time ({full:.0f}/s with save_assignment). "
        "Target >= 150/s per core."
    )

    if not args.keep:
        cleanup(partner)


def bulk_path(
    partner: Any, facility: Any, contractors: list[Any], n: int, batch: int, start: date
) -> float:
    """The production path: the partner API's bulk upsert issues, the worker renders."""
    from compliance_hub.certificates import bulk, documents
    from compliance_hub.certificates.models import Certificate

    items = [
        bulk.BulkItem(
            external_id=f"U{i}",
            facility=facility.external_id,
            contractor=contractors[i % len(contractors)].external_id,
            effective_date=start + timedelta(days=i % 300),
            end_date=start + timedelta(days=i % 300 + i % 5),
            description=WORK[i % len(WORK)],
        )
        for i in range(n)
    ]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    ids: list[int] = []
    for at in range(0, n, batch):
        for result in bulk.upsert_assignments(partner, items[at : at + batch]):
            assert result.certificate is not None
            ids.append(result.certificate.pk)
    issue_wall = time.perf_counter() - wall0
    mine = Certificate.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
    render_wall0 = time.perf_counter()
    rendered = 0
    while (done := documents.render_pending(batch, among=mine)) > 0:
        rendered += done
    render_wall = time.perf_counter() - render_wall0
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    assert rendered == n, (rendered, n)
    print(f"\nthrough the partner API's bulk upsert ({batch} per call), then the worker:")
    print(
        f"  issue    {issue_wall / n * 1000:6.2f} ms/certificate   "
        f"render + store {render_wall / n * 1000:6.2f} ms/certificate"
    )
    print(
        f"  ISSUE + RENDER + STORE   {wall / n * 1000:6.2f} ms/certificate   "
        f"{n / wall:6.0f} certificates/s   (this process's CPU: {cpu / n * 1000:.2f} ms, "
        f"{n / cpu:.0f}/s per core)"
    )
    return n / wall


def cleanup(partner: object) -> None:
    """Remove the bench partner's rows and stored files."""
    from django.core.files.storage import default_storage
    from django.db import DatabaseError, transaction

    from compliance_hub.certificates.models import Assignment, Certificate, Contractor
    from compliance_hub.facilities.models import CoverageLine, Facility, Insurer, Partner

    assert isinstance(partner, Partner)
    certificates = Certificate.objects.filter(assignment__partner=partner)
    names = list(certificates.exclude(pdf="").values_list("pdf", flat=True))
    try:
        with transaction.atomic():
            Assignment.objects.filter(partner=partner).update(current_certificate=None)
            certificates.update(supersedes=None)
            certificates._raw_delete(certificates.db)
            Assignment.objects.filter(partner=partner)._raw_delete("default")
            Contractor.objects.filter(partner=partner)._raw_delete("default")
            Facility.objects.filter(partner=partner)._raw_delete("default")
            CoverageLine.objects.filter(partner=partner)._raw_delete("default")
            Insurer.objects.filter(partner=partner)._raw_delete("default")
            Partner.objects.filter(pk=partner.pk)._raw_delete("default")
    except DatabaseError as exc:
        print(f"could not remove the bench rows ({exc}); partner slug {partner.slug}")
        return
    for name in names:
        default_storage.delete(name)


if __name__ == "__main__":
    main()
