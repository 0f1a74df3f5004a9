"""Certificate issuance throughput: snapshot + PDF + store, end to end, on the configured DB.

    DEBUG=1 .venv/bin/python bench/issuance.py [-n 600] [--quick] [--migrate] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME DEBUG=1 .venv/bin/python bench/issuance.py

or, from another script, ``run(quick) -> dict`` (see ``run``).

Issues N certificates through the real code paths and the configured database and storage,
in one process: the partner API's bulk upsert (``certificates.services``: assignment rows,
coverage snapshot, number, check code, certificate row, in one transaction per 100) followed
by the worker's ``documents.render_pending`` (PDF rendered from the snapshot, stored through
Django's default storage, SHA-256 and size recorded). That is the headline figure, in
certificates per second per core: N divided by the CPU time spent, this process's plus (on
PostgreSQL on this machine) the database backend's, so it does not depend on other load on
the machine or on waiting for disk flushes. The floor is a blank one-page fpdf2 document
(the same PDF library) on the same scale; ``ratio`` = figure / floor. The full run also
times the renderer alone and one-certificate-at-a-time issuance (``save_assignment``
+ ``ensure_rendered``, as a first request does). Contractor names carry
accents (José, Zoë, Nguyễn, ...). Rows and files created are removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
TARGET = 150.0  # certificates/s per core (issue 5)
UNIT = "certificates/s/core"
START = date(2026, 1, 1)


# --- CPU accounting -----------------------------------------------------------------


def _backend_pid() -> int | None:
    """The PostgreSQL backend serving this connection, if it runs on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    host = str(connection.settings_dict.get("HOST") or "")
    if host not in ("", "localhost", "127.0.0.1", "::1") and not host.startswith("/"):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    return pid if _proc_cpu(pid) is not None else None


def _proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` (from /proc), None if unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Measure:
    count: int
    wall: float = 0.0
    cpu: float = 0.0  # this process
    db_cpu: float = 0.0  # the database backend (PostgreSQL on this machine), else 0

    @property
    def per_core(self) -> float:
        return self.count / (self.cpu + self.db_cpu)

    @property
    def per_second(self) -> float:
        return self.count / self.wall

    def ms(self) -> float:
        return self.wall / self.count * 1000


@contextmanager
def measure(count: int) -> Iterator[Measure]:
    """Wall time, this process's CPU and the database backend's CPU spent in the block."""
    backend = _backend_pid()
    result = Measure(count)
    db0 = _proc_cpu(backend) if backend else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    yield result
    result.wall = time.perf_counter() - wall0
    result.cpu = time.process_time() - cpu0
    db1 = _proc_cpu(backend) if backend else None
    if db0 is not None and db1 is not None:
        result.db_cpu = db1 - db0


# --- fixtures -----------------------------------------------------------------------


@dataclass
class Fixture:
    partner: Any
    facility: Any
    contractors: list[Any]
    counter: list[int] = field(default_factory=lambda: [0])

    def prefix(self) -> str:
        self.counter[0] += 1
        return f"R{self.counter[0]}-"


def make_fixture() -> Fixture:
    """A partner with a three-line program (every block of the current template drawn: policy
    terms, basis, a workers' compensation line, a representative), a facility and 50
    contractors with accented names."""
    from compliance_hub.certificates.models import Contractor
    from compliance_hub.demo.seed import Line, partner_with_program
    from compliance_hub.facilities.models import CoverageLine, Facility

    tag = f"bench-{os.getpid()}-{time.time_ns()}"
    term = {"policy_effective": date(2026, 1, 1), "policy_expiry": date(2027, 1, 1)}
    partner = partner_with_program(
        "Bench Staffing, Inc.",
        tag,
        {
            "A": ("Granite Mutual", "24512"),
            "B": ("Northfield Casualty", "10345"),
            "C": ("Prairie Workers' Mutual", "29874"),
        },
        [
            Line(
                "A",
                CoverageLine.Kind.GENERAL_LIABILITY,
                "GL-2026-0042871",
                [
                    ["Each occurrence", 1_000_000],
                    ["General aggregate", 3_000_000],
                    ["Medical expense (any one person)", 5_000],
                ],
                additional_insured=True,
                subrogation_waived=True,
                details={**term, "basis": "occurrence", "aggregate_applies_per": "project"},
            ),
            Line(
                "B",
                CoverageLine.Kind.OCCUPATIONAL_ACCIDENT,
                "OA-771203",
                [["Accidental death", 250_000], ["Medical", 1_000_000]],
                details=term,
            ),
            Line(
                "C",
                CoverageLine.Kind.WORKERS_COMPENSATION,
                "WC-55-1029",
                [],
                subrogation_waived=True,
                details={
                    **term,
                    "wc_limits": "per_statute",
                    "proprietor_excluded": False,
                    "el_each_accident": 1_000_000,
                    "el_disease_each_employee": 1_000_000,
                    "el_disease_policy_limit": 1_000_000,
                },
            ),
        ],
        producer_name="Harbor & Vale Insurance Brokers LLC",
        producer_address="220 Market Street, Suite 400\nColumbus, OH 43215",
        producer_contact_name="Renée Okafor",
        producer_phone="+1 (614) 555-0142",
        producer_email="certificates@harborvale.example",
        representative_name="Zoë Ångström-Ruiz",
        representative_title="Account Executive",
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
    return Fixture(partner, facility, contractors)


def cleanup(partner: Any) -> None:
    """Remove the bench partner's rows and stored files."""
    from django.core.files.storage import default_storage
    from django.db import DatabaseError, transaction

    from compliance_hub.certificates.models import Assignment, Certificate, Contractor
    from compliance_hub.facilities.models import CoverageLine, Facility, Insurer, Partner

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


# --- the paths measured ---------------------------------------------------------------


def floor(n: int) -> Measure:
    """A blank one-page fpdf2 document, written to bytes: the PDF library's floor."""
    from fpdf import FPDF

    def blank() -> None:
        pdf = FPDF()
        pdf.add_page()
        pdf.output()

    blank()
    with measure(n) as m:
        for _ in range(n):
            blank()
    m.db_cpu = 0.0  # no database involved
    return m


def renderer_only(fx: Fixture, n: int) -> Measure:
    """The current template's renderer alone, for one certificate's document (no database,
    no storage)."""
    from compliance_hub.certificates import documents, services

    sample = services.save_assignment(
        partner=fx.partner,
        external_id=f"{fx.prefix()}sample",
        facility=fx.facility,
        contractor=fx.contractors[0],
        effective_date=START,
        end_date=START + timedelta(days=4),
        description=WORK[0],
    ).certificate
    assert sample is not None
    document = documents.document_for(sample)
    render = documents.pdf.renderer_for(sample.template_version)
    render(document)  # fonts are parsed once per process
    with measure(n) as m:
        for _ in range(n):
            render(document)
    m.db_cpu = 0.0
    return m


def bulk_issue_and_render(fx: Fixture, n: int, batch: int) -> tuple[Measure, Measure]:
    """Partner API bulk upsert (``batch`` per call), then the worker renders and stores.

    Returns (issue + render + store, render + store alone).
    """
    from compliance_hub.certificates import documents, services
    from compliance_hub.certificates.models import Certificate

    prefix = fx.prefix()
    items = [
        services.AssignmentItem(
            external_id=f"{prefix}{i}",
            facility=fx.facility.external_id,
            contractor=fx.contractors[i % len(fx.contractors)].external_id,
            effective_date=START + timedelta(days=i % 300),
            end_date=START + timedelta(days=i % 300 + i % 5),
            description=WORK[i % len(WORK)],
        )
        for i in range(n)
    ]
    ids: list[int] = []
    with measure(n) as total:
        for at in range(0, n, batch):
            for result in services.upsert_assignments(fx.partner, items[at : at + batch]):
                assert result.certificate is not None
                ids.append(result.certificate.pk)
        mine = Certificate.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
        with measure(n) as rendering:
            rendered = 0
            while (done := documents.render_pending(batch, among=mine)) > 0:
                rendered += done
    assert rendered == n, (rendered, n)
    assert not Certificate.objects.filter(pk__in=ids, rendered_at__isnull=True).exists()
    return total, rendering


def one_at_a_time(fx: Fixture, n: int) -> Measure:
    """``save_assignment`` (its own transaction) then ``ensure_rendered``, per certificate."""
    from compliance_hub.certificates import documents, services

    prefix = fx.prefix()

    def issue(i: int) -> None:
        result = services.save_assignment(
            partner=fx.partner,
            external_id=f"{prefix}{i}",
            facility=fx.facility,
            contractor=fx.contractors[i % len(fx.contractors)],
            effective_date=START + timedelta(days=i % 300),
            end_date=START + timedelta(days=i % 300 + i % 5),
            description=WORK[i % len(WORK)],
        )
        assert result.certificate is not None
        documents.ensure_rendered(result.certificate)

    with measure(n) as m:
        for i in range(n):
            issue(i)
    return m


# --- entry points ---------------------------------------------------------------------


def _setup(migrate: bool) -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        if not migrate:
            raise RuntimeError("The database has unapplied migrations: migrate it first.")
        call_command("migrate", verbosity=0)


def run(
    quick: bool = False,
    *,
    n: int | None = None,
    batch: int = 100,
    migrate: bool = True,
    keep: bool = False,
    report: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """Measure issuance on the configured database and storage; return the figures.

    ``figure``: certificates issued (snapshot + PDF + store) per second per core, through the
    partner API's bulk upsert and the worker; ``floor``: blank one-page fpdf2 documents per
    second per core; ``ratio`` = figure / floor; ``unit``. ``quick`` issues 200 certificates
    instead of 600 and skips the one-at-a-time path. ``report`` receives progress lines.
    """
    say = report or (lambda line: None)
    _setup(migrate)
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.db import connection

    n = n or (200 if quick else 600)
    default_storage.exists("warm-up")  # instantiate the lazy storage
    database = f"{connection.vendor} {settings.DATABASES['default'].get('NAME')}"
    storage = type(getattr(default_storage, "_wrapped", default_storage)).__name__
    say(f"database: {database}\nstorage:  {storage}\ncertificates: {n}")
    say(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs\n")

    repeats = 1 if quick else 3
    fx = make_fixture()
    try:
        # Best of ``repeats``, each path in turn, so that the floor and the figure see the same
        # machine (other processes' load inflates CPU time per operation on shared cores).
        blanks, renders, bulks = [], [], []
        for _ in range(repeats):
            blanks.append(floor(n))
            renders.append(renderer_only(fx, n))
            bulks.append(bulk_issue_and_render(fx, n, batch))
        blank = max(blanks, key=lambda m: m.per_core)
        render = max(renders, key=lambda m: m.per_core)
        bulk, rendering = max(bulks, key=lambda pair: pair[0].per_core)
        best = f" (best of {repeats})" if repeats > 1 else ""
        say(_line(f"fpdf2 blank one-page document (floor){best}", blank, "doc"))
        from compliance_hub.certificates.issuance import TEMPLATE_VERSION

        template = f"render {TEMPLATE_VERSION} only (no database, no storage){best}"
        say(_line(template, render, "doc"))
        say(
            f"\npartner API bulk upsert ({batch} per call), then the worker renders"
            f" and stores{best}:"
        )
        say(_line("  render + store (worker)", rendering, "certificate"))
        say(_line("  ISSUE + RENDER + STORE", bulk, "certificate"))
        single = None
        if not quick:
            single = one_at_a_time(fx, n)
            say("\none at a time (save_assignment, then ensure_rendered as on first request):")
            say(_line("  ISSUE + RENDER + STORE", single, "certificate"))
    finally:
        if not keep:
            cleanup(fx.partner)

    figure = bulk.per_core
    result: dict[str, Any] = {
        "name": "certificate issuance (snapshot + PDF + store)",
        "figure": round(figure, 1),
        "floor": round(blank.per_core, 1),
        "ratio": round(figure / blank.per_core, 4),
        "unit": UNIT,
        "target": TARGET,
        "meets_target": figure >= TARGET,
        "database": connection.vendor,
        "storage": storage,
        "certificates": n,
        "repeats": repeats,
        "runs_per_core": [round(b.per_core, 1) for b, _ in bulks],
        "floor_runs_per_core": [round(b.per_core, 1) for b in blanks],
        "load_average": round(os.getloadavg()[0], 2),
        "wall_per_second": round(bulk.per_second, 1),
        "db_cpu_counted": bulk.db_cpu > 0,
        "render_only_per_core": round(render.per_core, 1),
        "worker_render_store_per_core": round(rendering.per_core, 1),
    }
    if single is not None:
        result["one_at_a_time_per_core"] = round(single.per_core, 1)
        result["one_at_a_time_wall_per_second"] = round(single.per_second, 1)
    say(
        f"\nissuance (snapshot + PDF + store): {figure:.0f} {UNIT} "
        f"(floor: blank fpdf2 page {blank.per_core:.0f} docs/s/core; ratio {result['ratio']:.3f}); "
        f"target >= {TARGET:.0f}: {'met' if result['meets_target'] else 'NOT met'}"
    )
    return result


def _line(label: str, m: Measure, unit: str) -> str:
    db = f" + db {m.db_cpu / m.count * 1000:.2f}" if m.db_cpu else ""
    return (
        f"{label:<46} {m.ms():7.2f} ms/{unit} wall  {m.per_second:7.0f}/s wall   "
        f"CPU {m.cpu / m.count * 1000:.2f}{db} ms -> {m.per_core:6.0f}/s per core"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("-n", type=int, default=None, help="certificates (default 600, quick 200)")
    parser.add_argument("--quick", action="store_true", help="fewer certificates, bulk path only")
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    parser.add_argument("--batch", type=int, default=100, help="batch size (default 100)")
    parser.add_argument("--keep", action="store_true", help="keep the rows and files created")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    try:
        result = run(
            args.quick,
            n=args.n,
            batch=args.batch,
            migrate=args.migrate,
            keep=args.keep,
            report=None if args.json else print,
        )
    except RuntimeError as exc:
        sys.exit(str(exc))
    if args.json:
        import json

        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
