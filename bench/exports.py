"""Bulk ZIP and CSV export, measured through a real server (gunicorn) on the given database.

    .venv/bin/python bench/exports.py --db-url postgres://postgres@127.0.0.1:5432/NAME [--quick]
    .venv/bin/python bench/exports.py --json ...        # one JSON object on the last line

From another program (the benchmark runner): ``run(db_url, quick) -> dict``; it runs this
file in a child process (its own Django settings) and returns the JSON figures.

What it does:

1. Data, created once and reused: partner ``bench-exports`` with two facilities,
   ``ZIP-<n>`` (n assignments, each with its current certificate, every PDF rendered and
   stored through the real renderer) and ``CSV-<m>`` (m assignments with their certificates;
   their snapshots are a small stub, which the CSV never reads, and each is stored as one
   shared placeholder PDF, as the worker would have left them), and a member of both.
   Full: n = 10,000, m = 200,000; ``--quick``: 500 and 5,000.
2. A gunicorn server (``gunicorn.conf.py``, one worker, production settings) on
   ``--port`` (default 8520), signed in with a session made for the member.
3. (a) ``GET bulk.zip`` of the ZIP facility (no filters: every certificate): time to first
   byte, wall time, MB/s, and the worker's peak RSS (``VmHWM`` of the worker process, reset
   through ``/proc/<pid>/clear_refs`` just before the request) next to its RSS before; the
   archive is then checked (member count, ``unzip -tq``). Compared with ``zip -0`` (Info-ZIP,
   stored) over the same files on disk.
   (b) ``GET export.csv`` of the CSV facility: wall time, rows, bytes, peak RSS; compared
   with PostgreSQL's ``COPY (<the export's own query>) TO STDOUT (FORMAT csv)`` read through
   psycopg (PostgreSQL only).
   (c) ``GET export.xlsx`` of the CSV facility: wall time, time to first byte, bytes and the
   worker's peak RSS next to its RSS before (constant memory: the peak must not grow with
   the rows); the workbook is then opened (python-calamine) and its rows counted.

Files go to ``MEDIA_ROOT`` (default ``var/bench-exports-media``; local file storage, which
``zip -0`` needs). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "bench-exports"
MEMBER_EMAIL = "bench-exports@example.com"
FULL = {"zip": 10_000, "csv": 200_000}
QUICK = {"zip": 500, "csv": 5_000}
FIRST = ["José", "Zoë", "Nguyễn", "Łukasz", "Siobhán", "Anne-Marie", "Maria", "James", "Priya"]
LAST = ["García", "Ó Súilleabháin", "Nguyễn", "Kowalczyk", "Okafor", "Smith-Jones", "O'Neil"]
WORK = [
    "Registered nurse, night shift",
    "Certified nursing assistant, memory care",
    "Forklift operator, inbound dock",
    "Event security, north concourse",
]
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-exports-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
    "ACCESS_LOG": "0",
    "WEB_CONCURRENCY": "1",
    "GUNICORN_THREADS": "2",
}


def run(db_url: str, quick: bool, port: int = 8520, repeat: int = 1) -> dict[str, Any]:
    """The benchmark in a child process; its figures (see the module docstring)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--db-url", db_url, "--json"]
    command += ["--port", str(port), "--repeat", str(repeat)]
    if quick:
        command.append("--quick")
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"bench/exports.py failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- data ---------------------------------------------------------------------------------


def _ensure_data(sizes: dict[str, int], say: Any) -> dict[str, Any]:
    from django.core.files.storage import default_storage
    from django.db import transaction

    from bench import dataset
    from compliance_hub.accounts.models import Person
    from compliance_hub.certificates import documents
    from compliance_hub.certificates.models import Certificate
    from compliance_hub.demo.seed import Line, partner_with_program
    from compliance_hub.facilities.models import CoverageLine, Facility, Membership, Partner

    partner = Partner.objects.filter(slug=SLUG).first()
    if partner is None:
        with transaction.atomic():
            partner = partner_with_program(
                "Bench Exports Staffing",
                SLUG,
                {"A": ("Granite Mutual", "24512")},
                [
                    Line(
                        "A",
                        CoverageLine.Kind.GENERAL_LIABILITY,
                        "GL-2026-0042871",
                        [["Each occurrence", 1_000_000], ["General aggregate", 3_000_000]],
                    )
                ],
                producer_name="Harbor & Vale Insurance Brokers LLC",
                producer_address="220 Market Street, Suite 400\nColumbus, OH 43215",
            )
    person = Person.objects.filter(email=MEMBER_EMAIL).first()
    if person is None:
        person = Person.objects.create_user(MEMBER_EMAIL, name="Bench Exports")
    facilities = {}
    for kind, n in sizes.items():
        external_id = f"{kind.upper()}-{n}"
        facility = Facility.objects.filter(partner=partner, external_id=external_id).first()
        if facility is None:
            say(f"creating facility {external_id} with {n:,} assignments and certificates ...")
            started = time.perf_counter()
            facility = _create_facility(partner, external_id, n, real_snapshots=kind == "zip")
            say(f"  done in {time.perf_counter() - started:.0f} s")
        Membership.objects.get_or_create(person=person, facility=facility)
        facilities[kind] = facility
    zip_facility = facilities["zip"]
    certificates = Certificate.objects.filter(assignment__facility=zip_facility)
    first = certificates.filter(rendered_at__isnull=False).order_by("id").first()
    if first is not None and not default_storage.exists(first.pdf.name):
        say("stored PDFs are missing (another MEDIA_ROOT?): rendering them again")
        certificates.update(pdf="", sha256="", size=None, rendered_at=None)
    pending = certificates.filter(rendered_at__isnull=True).count()
    if pending:
        say(f"rendering {pending:,} certificate PDFs ...")
        started = time.perf_counter()
        documents.render_pending(limit=pending, among=certificates)
        say(f"  done in {time.perf_counter() - started:.0f} s")
    # The CSV facility's certificates as the worker leaves them (no backlog), so that every
    # export does not first render 200,000 PDFs and measure the renderer.
    dataset.as_rendered(Certificate.objects.filter(assignment__facility=facilities["csv"]))
    _settle()
    return {"person": person, **facilities}


def _settle() -> None:
    """``VACUUM (ANALYZE)`` the tables just written, as autovacuum leaves them in time.

    Without it the first export after the data is made pays for that data being new: its
    reads set the hint bits of, and prune, the 200,000 rows just inserted and updated (about
    4 s more for the CSV at 5M and 20M assignments). On a small database autovacuum does it
    at once (its threshold, 20 % of the table, is soon reached), on a large one not for a
    long time, which measured a step in the growth curve that was not the export's. Pages
    already all-visible are skipped, so this is quick when nothing new was written.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) certificates_assignment, certificates_certificate")


def _create_facility(partner: Any, external_id: str, n: int, *, real_snapshots: bool) -> Any:
    from django.db import connection, transaction

    from compliance_hub.certificates import issuance
    from compliance_hub.certificates.models import (
        Assignment,
        Certificate,
        Contractor,
        contractor_names,
    )
    from compliance_hub.certificates.names import search_key
    from compliance_hub.facilities.models import Facility

    with transaction.atomic():
        facility = Facility.objects.create(
            partner=partner,
            external_id=external_id,
            name=f"Riverside Care Home {external_id}",
            address_line1="1200 Mercy Way",
            city="Columbus",
            region="OH",
            postal_code="43215",
            bulk_download_enabled=True,
        )
        contractors = []
        for i in range(min(2_000, n)):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            contractors.append(
                Contractor(
                    partner=partner,
                    external_id=f"{external_id}-C{i}",
                    first_name=first,
                    last_name=f"{last} {i}" if i >= len(FIRST) * len(LAST) else last,
                    address_line1=f"{i} Elm Court",
                    city="Dublin",
                    region="OH",
                    postal_code="43017",
                )
            )
        for c in contractors:
            c.search_name = search_key(c.full_name)
        contractors = Contractor.objects.bulk_create(contractors, batch_size=2_000)
        program = issuance.program_snapshot(partner) if real_snapshots else {}
        start, span = date(2024, 1, 1), 730
        batch = 5_000
        for low in range(0, n, batch):
            rows = []
            for i in range(low, min(n, low + batch)):
                c = contractors[(i * 7919) % len(contractors)]
                effective = start + timedelta(days=(i * span) // n)
                rows.append(
                    Assignment(
                        partner=partner,
                        facility=facility,
                        contractor=c,
                        external_id=f"{external_id}-A{i}",
                        effective_date=effective,
                        end_date=effective + timedelta(days=i % 5),
                        description=WORK[i % len(WORK)],
                        **contractor_names(c),
                    )
                )
            rows = Assignment.objects.bulk_create(rows)
            certificates = []
            for a in rows:
                snapshot = (
                    issuance.build_snapshot(a, a.contractor, facility, program)
                    if real_snapshots
                    else {"bench": "stub: the CSV export does not read snapshots"}
                )
                certificates.append(issuance.new_certificate(a, snapshot))
            Certificate.objects.bulk_create(certificates, batch_size=1_000)
        assignment = connection.ops.quote_name(Assignment._meta.db_table)
        certificate = connection.ops.quote_name(Certificate._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {assignment} SET current_certificate_id = ("
                f"SELECT c.id FROM {certificate} c WHERE c.assignment_id = {assignment}.id) "
                f"WHERE facility_id = %s",
                [facility.pk],
            )
    return facility


# --- the server -----------------------------------------------------------------------------


class Server:
    """gunicorn with one worker; ``worker`` is the pid of the process that serves requests."""

    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.port = port
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=self._log,
            stderr=self._log,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"gunicorn did not start; see {log}") from None
                time.sleep(0.2)
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split()
        if len(pids) != 1:
            self.stop()
            raise RuntimeError(f"expected one gunicorn worker, found {pids}")
        self.worker = int(pids[0])

    def memory(self) -> dict[str, int]:
        """The worker's VmRSS and VmHWM (peak) in KiB."""
        found = {}
        for line in Path(f"/proc/{self.worker}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
        return found

    def reset_peak(self) -> bool:
        """Set the worker's VmHWM back to its current RSS (Linux ``clear_refs`` 5)."""
        try:
            Path(f"/proc/{self.worker}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def _fetch(url: str, cookie: str, target: Path | None) -> dict[str, Any]:
    """GET ``url`` and read it to the end: status, bytes, seconds to first byte and in all."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    started = time.perf_counter()
    first = None
    size = 0
    sink = target.open("wb") if target is not None else None
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            status = response.status
            while chunk := response.read1(256 * 1024):
                if first is None:
                    first = time.perf_counter() - started
                size += len(chunk)
                if sink is not None:
                    sink.write(chunk)
    finally:
        if sink is not None:
            sink.close()
    wall = time.perf_counter() - started
    return {"status": status, "bytes": size, "first_byte_s": first, "wall_s": wall}


def _measure(server: Server, url: str, cookie: str, target: Path | None) -> dict[str, Any]:
    before = server.memory()
    reset = server.reset_peak()
    result = _fetch(url, cookie, target)
    after = server.memory()
    result["rss_before_mb"] = round(before["VmRSS"] / 1024, 1)
    result["peak_rss_mb"] = round(after["VmHWM"] / 1024, 1)
    result["peak_is_lifetime"] = not reset  # no clear_refs: the peak includes earlier work
    result["mb_per_s"] = round(result["bytes"] / 1e6 / result["wall_s"], 1)
    return result


# --- the measurements --------------------------------------------------------------------


def _zip_baseline(paths: list[str], media: Path, workdir: Path) -> dict[str, Any]:
    """Info-ZIP ``zip -0`` (stored, like the hub's archive) over the same files on disk."""
    target = workdir / "baseline.zip"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        ["zip", "-0", "-q", "-X", str(target), "-@"],
        input="\n".join(paths).encode(),
        cwd=media,
        check=True,
    )
    wall = time.perf_counter() - started
    size = target.stat().st_size
    return {"bytes": size, "wall_s": wall, "mb_per_s": round(size / 1e6 / wall, 1)}


def _copy_baseline(facility: Any, *, formatted: bool) -> dict[str, Any] | None:
    """PostgreSQL ``COPY (query) TO STDOUT (FORMAT csv)``, read through psycopg.

    ``formatted=False``: the export's query with its plain columns (``rows.export_rows``'
    SELECT); ``True``: the statement the export itself sends (``rows.csv_cells_query``, every
    cell formatted by the database, plus the link column).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    import psycopg

    from compliance_hub.certificates.exports import rows
    from compliance_hub.certificates.queries import TableFilters, filtered_assignments

    if formatted:
        qs = rows.csv_cells_query(facility, TableFilters())
    else:
        qs = filtered_assignments(facility, TableFilters()).values_list(*rows._FIELDS)
    sql, params = qs.query.sql_with_params()
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    ) as conn:
        query = psycopg.ClientCursor(conn).mogrify(sql, params)
        size = lines = 0
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
            for data in copy:
                size += len(data)
                lines += 1  # one COPY message per row
        wall = time.perf_counter() - started
    return {
        "rows": lines,
        "bytes": size,
        "wall_s": wall,
        "mb_per_s": round(size / 1e6 / wall, 1),
    }


def _generator_only(facility: Any) -> dict[str, Any]:
    """The export's generator consumed in this process: the view's work without HTTP."""
    from django.db import connection

    from compliance_hub.certificates.exports import csv_export, rows
    from compliance_hub.certificates.queries import TableFilters

    rows.certificate_link_prefix(facility)  # loads the URLconf: not part of an export
    started = time.perf_counter()
    if csv_export.copy_available():
        chunks = csv_export.stream_csv_copy(facility, TableFilters())
    else:
        chunks = csv_export.stream_csv(rows.export_rows(facility, TableFilters()))
    size = sum(len(chunk) for chunk in chunks)
    wall = time.perf_counter() - started
    connection.close()
    return {"bytes": size, "wall_s": wall, "mb_per_s": round(size / 1e6 / wall, 1)}


def bench(db_url: str, quick: bool, port: int, repeat: int, say: Any) -> dict[str, Any]:
    media = Path(os.environ.get("MEDIA_ROOT") or ROOT / "var" / "bench-exports-media").resolve()
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": db_url, "MEDIA_ROOT": str(media)}
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "compliance_hub.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.test import Client

    from compliance_hub.certificates.models import Certificate

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        say("applying migrations ...")
        call_command("migrate", verbosity=0)
    sizes = QUICK if quick else FULL
    data = _ensure_data(sizes, say)
    if connection.vendor == "postgresql":  # fresh statistics after bulk loads (as autovacuum)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE certificates_assignment, certificates_certificate")
    client = Client()
    client.force_login(data["person"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    connection.close()

    result: dict[str, Any] = {
        "database": f"{connection.vendor} {settings.DATABASES['default']['NAME']}",
        "quick": quick,
        "repeat": repeat,
    }
    workdir = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    log = workdir / "gunicorn.log"
    try:
        # (a) the bulk ZIP, and zip -0 over the same files, alternately
        n = sizes["zip"]
        facility = data["zip"]
        paths = list(
            Certificate.objects.filter(assignment__facility=facility, rendered_at__isnull=False)
            .order_by("id")
            .values_list("pdf", flat=True)
        )
        archive = workdir / "bulk.zip"
        say(f"(a) bulk ZIP of {n:,} certificates, {repeat} time(s) ...")
        # Both read the same files: read them once first, so that neither pays for the disk
        # alone (after a large database has filled the page cache, the first reader did:
        # 4.5 s for the ZIP, against 1.4 s warm, in a growth-curve run).
        for name in paths:
            (media / name).read_bytes()
        with Server(port, env, log) as server:
            base = _warm(port, facility, cookie, log)
            runs, baselines = [], []
            for _ in range(repeat):
                runs.append(_measure(server, f"{base}/bulk.zip", cookie, archive))
                baselines.append(_zip_baseline(paths, media, workdir))
                say(_line("ZIP", runs[-1]) + f"  | zip -0: {baselines[-1]['wall_s']:.2f} s")
        with zipfile.ZipFile(archive) as opened:
            members = len(opened.namelist())
        tested = subprocess.run(["unzip", "-tq", str(archive)], capture_output=True, check=False)
        archive.unlink()
        zip_result = _summary(runs, baselines, "zip_0")
        zip_result.update(certificates=n, members=members, unzip_test_ok=tested.returncode == 0)
        result["zip"] = zip_result

        # (b) the CSV export, and COPY of the same query, alternately
        m = sizes["csv"]
        facility = data["csv"]
        target = workdir / "export.csv"
        say(f"(b) CSV export of {m:,} rows, {repeat} time(s) ...")
        with Server(port, env, log) as server:
            base = _warm(port, facility, cookie, log)
            runs, baselines = [], []
            generator: list[dict[str, Any]] = []
            formatted_runs: list[dict[str, Any]] = []
            for _ in range(repeat):
                runs.append(_measure(server, f"{base}/export.csv", cookie, target))
                generator.append(_generator_only(facility))
                text = f"  | generator alone: {generator[-1]['wall_s']:.2f} s"
                copy = _copy_baseline(facility, formatted=False)
                formatted = _copy_baseline(facility, formatted=True)
                if copy is not None and formatted is not None:
                    baselines.append(copy)
                    formatted_runs.append(formatted)
                    text += f"  | COPY: {copy['wall_s']:.2f} s"
                    text += f", COPY of the export's statement: {formatted['wall_s']:.2f} s"
                say(_line("CSV", runs[-1]) + text)
        with target.open("rb") as handle:
            rows = sum(1 for _ in handle) - 1
        target.unlink()
        csv_result = _summary(runs, baselines, "copy")
        csv_result["rows"] = rows
        for name, extra in (("generator_only", generator), ("copy_statement", formatted_runs)):
            if extra:
                middle = sorted(extra, key=lambda r: r["wall_s"])[len(extra) // 2]
                csv_result[name] = {**middle, "runs_wall_s": [round(r["wall_s"], 3) for r in extra]}
                csv_result[f"vs_{name}"] = round(csv_result["wall_s"] / middle["wall_s"], 2)
        result["csv"] = csv_result

        # (c) the XLSX export of the same rows
        target = workdir / "export.xlsx"
        say(f"(c) XLSX export of {m:,} rows, {repeat} time(s) ...")
        with Server(port, env, log) as server:
            base = _warm(port, facility, cookie, log)
            runs = []
            for _ in range(repeat):
                runs.append(_measure(server, f"{base}/export.xlsx", cookie, target))
                say(_line("XLSX", runs[-1]))
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("Certificates")
        xlsx_result = _summary(runs, [], "baseline")
        xlsx_result["rows"] = sum(1 for _ in sheet.iter_rows()) - 1
        xlsx_result["peak_growth_mb"] = round(
            max(r["peak_rss_mb"] - r["rss_before_mb"] for r in runs), 1
        )
        target.unlink()
        result["xlsx"] = xlsx_result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def _warm(port: int, facility: Any, cookie: str, log: Path) -> str:
    """The facility's export URL prefix, after one table request (imports, templates, DB)."""
    base = f"http://127.0.0.1:{port}/facilities/{facility.pk}/certificates"
    warm = _fetch(f"{base}/", cookie, None)
    if warm["status"] != 200:
        raise RuntimeError(f"the table answered {warm['status']}; see {log}")
    return base


def _summary(
    runs: list[dict[str, Any]], baselines: list[dict[str, Any]], name: str
) -> dict[str, Any]:
    """Median run (by wall time), the peak RSS over all runs, the median baseline, ratio."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    result = dict(ordered[len(ordered) // 2])
    result["runs_wall_s"] = [round(r["wall_s"], 3) for r in runs]
    result["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    if baselines:
        base = sorted(baselines, key=lambda r: r["wall_s"])[len(baselines) // 2]
        result[name] = {**base, "runs_wall_s": [round(r["wall_s"], 3) for r in baselines]}
        result[f"vs_{name}"] = round(result["wall_s"] / base["wall_s"], 2)
    else:
        result[name] = None
    return result


def _line(label: str, r: dict[str, Any]) -> str:
    return (
        f"{label}: {r['bytes'] / 1e6:.1f} MB in {r['wall_s']:.2f} s ({r['mb_per_s']} MB/s), "
        f"first byte {r['first_byte_s']:.3f} s, worker RSS {r['rss_before_mb']} MB before, "
        f"peak {r['peak_rss_mb']} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--quick", action="store_true", help="500 certificates, 5,000 rows")
    parser.add_argument("--port", type=int, default=8520)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (median reported)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON last")
    args = parser.parse_args()
    if not args.db_url:
        parser.error("--db-url (or DATABASE_URL) is required")

    def say(text: str) -> None:
        print(text, file=sys.stderr if args.json else sys.stdout, flush=True)

    result = bench(args.db_url, args.quick, args.port, max(1, args.repeat), say)
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
