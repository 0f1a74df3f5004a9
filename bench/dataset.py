"""The benchmark dataset: a migrated PostgreSQL database at national-staffing-platform size.

    .venv/bin/python bench/dataset.py            # 5,000,000 assignments (a few minutes, once)
    .venv/bin/python bench/dataset.py --quick    # 50,000 assignments (seconds; CI)
    .venv/bin/python bench/dataset.py --force    # rebuild even if it is already there
    .venv/bin/python bench/dataset.py --size 500000:20000   # another size (growth curve)

Database: ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/
compliance_hub_bench``, ``…_bench_quick`` with ``--quick``, ``…_bench_<total>_<largest>``
for another size, e.g. ``compliance_hub_bench_500k_20k``, so sizes never overwrite each
other). A size is ``TOTAL:LARGEST`` (assignments in all, assignments of facility 1), given
with ``--size`` or in ``BENCH_SIZE`` (which every benchmark that calls ``build`` then uses,
e.g. ``bench/table.py``: see ``bench/growth.py``). The default size, 5,000,000:200,000, is
exactly the full dataset below. The database is dropped,
created, migrated and filled with set-based SQL (``INSERT … SELECT generate_series``): the
loaded tables' secondary indexes and foreign keys are dropped first and rebuilt afterwards
(far faster than maintaining them row by row), then ``VACUUM ANALYZE`` (index-only scans need
the visibility map). A marker table ``bench_dataset`` records the parameters; a later run with
the same parameters reuses the database (applying any newer migrations to it).

Contents (full size): 1 partner, 2,000 facilities — facility 1, "Big General Hospital", has
200,000 assignments over 2021-01-01 … 2026-06-23 (about 100 a day), the others about 2,400
each —, 120,000 contractors (60 first names x ~8,000 syllable-built last names), one
certificate per assignment (1% void: the assignment is cancelled) plus a superseded one for
2%. Durations: 70% one day, 20% 2-7 days, 9% 1-9 weeks, 1% 2-12 months. Effective dates are
random with respect to row order (the worst case for heap locality). Every certificate
(current and superseded: the worker has no backlog) is "rendered" to one shared placeholder
PDF (``bench/placeholder.pdf`` under the bench media root, with its real SHA-256 and size),
so downloads and ZIPs work; benchmarks that need distinct files render their own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/compliance_hub_bench"
PLACEHOLDER_NAME = "bench/placeholder.pdf"
# Bump when the generator changes, so an old dataset is rebuilt.
GENERATOR_VERSION = 6

BIG_FACILITY_ID = 1
BIG_FACILITY_NAME = "Big General Hospital"
PARTNER_ID = 1


@dataclass(frozen=True)
class Params:
    assignments: int
    facilities: int
    big_facility: int
    contractors: int
    big_contractors: int  # facility 1 draws from contractors 1..big_contractors
    version: int = GENERATOR_VERSION


FULL = Params(
    assignments=5_000_000,
    facilities=2_000,
    big_facility=200_000,
    contractors=120_000,
    big_contractors=20_000,
)
QUICK = Params(
    assignments=50_000,
    facilities=40,
    big_facility=20_000,
    contractors=6_000,
    big_contractors=2_000,
)


# The other facilities keep the full dataset's proportions at any size: about 2,400
# assignments each, one contractor per ~42 assignments, facility 1 drawing on a tenth as many
# contractors as it has assignments.
OTHER_FACILITY_SIZE = 2_400
ASSIGNMENTS_PER_CONTRACTOR = 5_000_000 / 120_000


def sized(assignments: int, big_facility: int) -> Params:
    """The dataset of ``assignments`` in all with ``big_facility`` at facility 1; the default
    size gives ``FULL`` itself (same parameters, so the same rows)."""
    if (assignments, big_facility) == (FULL.assignments, FULL.big_facility):
        return FULL
    if not 0 < big_facility < assignments:
        raise ValueError("the largest facility must have fewer assignments than the total")
    others = assignments - big_facility
    big_contractors = max(100, big_facility // 10)
    contractors = big_contractors + max(100, round(others / ASSIGNMENTS_PER_CONTRACTOR))
    return Params(
        assignments=assignments,
        facilities=1 + max(1, round(others / OTHER_FACILITY_SIZE)),
        big_facility=big_facility,
        contractors=contractors,
        big_contractors=big_contractors,
    )


def parse_size(text: str) -> Params:
    """``TOTAL:LARGEST``, each a number with an optional k/m suffix (``20m:2m``)."""

    def number(part: str) -> int:
        part = part.strip().lower().replace(",", "").replace("_", "")
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
        return int(float(part.rstrip("km")) * scale)

    total, _, big = text.partition(":")
    if not big:
        raise ValueError(f"a size is TOTAL:LARGEST, e.g. 500000:20000, not {text!r}")
    return sized(number(total), number(big))


def _short(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def label(params: Params) -> str:
    """The size's name in database and directory names (``500k_20k``); "" for FULL."""
    if params == FULL:
        return ""
    return f"{_short(params.assignments)}_{_short(params.big_facility)}"


def params_for(quick: bool) -> Params:
    """The dataset asked for: ``BENCH_SIZE`` if set, else the quick or the full one."""
    size = os.environ.get("BENCH_SIZE", "").strip()
    if size:
        return parse_size(size)
    return QUICK if quick else FULL


def database_url(quick: bool, params: Params | None = None) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    params = params or params_for(quick)
    suffix = "_quick" if params == QUICK else ("_" + label(params) if label(params) else "")
    if suffix:
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        if not name.endswith(suffix):
            url = urlunsplit(parts._replace(path="/" + name + suffix))
    return url


def media_root(quick: bool, params: Params | None = None) -> Path:
    """Where the dataset's files live (``MEDIA_ROOT`` for anything reading its PDFs)."""
    params = params or params_for(quick)
    if params == QUICK:
        return ROOT / "var" / "bench" / "media-quick"
    if label(params):
        return ROOT / "var" / "bench" / f"media-{label(params)}"
    return ROOT / "var" / "bench" / "media"


def _connect(url: str, dbname: str | None = None) -> Any:
    import psycopg

    parts = urlsplit(url)
    if dbname is not None:
        parts = parts._replace(path="/" + dbname)
    return psycopg.connect(urlunsplit(parts), autocommit=True)


def _db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _latest_migrations() -> str:
    """A fingerprint of the migration files, so a schema change triggers a rebuild."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "compliance_hub").glob("*/migrations/0*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def existing(url: str, params: Params) -> dict[str, Any] | None:
    """The marker of a complete dataset with these parameters, or None."""
    import psycopg

    try:
        conn = _connect(url)
    except psycopg.OperationalError:
        return None
    with conn:
        row = conn.execute(
            "SELECT to_regclass('bench_dataset') IS NOT NULL",
        ).fetchone()
        if not row or not row[0]:
            return None
        marker = conn.execute(
            "SELECT params, migrations, built_at, seconds FROM bench_dataset"
        ).fetchone()
    if not marker:
        return None
    stored, _migrations, built_at, seconds = marker
    if stored != asdict(params):
        return None
    return {"built_at": built_at.isoformat(), "build_seconds": seconds, **stored}


def placeholder_pdf() -> bytes:
    from fpdf import FPDF

    doc = FPDF(format="letter")
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.cell(text="Certificate of insurance (benchmark placeholder)")
    doc.ln(10)
    doc.set_font("helvetica", size=9)
    for i in range(40):
        doc.cell(text=f"Line {i + 1}: coverage, limits, policy numbers and dates would be here.")
        doc.ln(5)
    return bytes(doc.output())


def as_rendered(certificates: Any) -> int:
    """Mark ``certificates`` that still await their PDF as the worker would have left them:
    each stored, here as one shared placeholder PDF (``PLACEHOLDER_NAME`` under the media
    root of the process) with its real SHA-256 and size; how many were. For a benchmark's own
    facilities: without a worker running, their certificates would otherwise stay a render
    backlog in the shared database, which every later export would pay for (an export first
    renders what is pending among its rows, so that none lacks its SHA-256)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    pending = certificates.filter(rendered_at__isnull=True)
    if not pending.exists():
        return 0
    data = placeholder_pdf()
    if not default_storage.exists(PLACEHOLDER_NAME):
        default_storage.save(PLACEHOLDER_NAME, ContentFile(data))
    return int(
        pending.update(
            pdf=PLACEHOLDER_NAME,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            rendered_at=timezone.now(),
        )
    )


def _write_placeholder(quick: bool, params: Params | None = None) -> tuple[str, int]:
    data = placeholder_pdf()
    path = media_root(quick, params) / PLACEHOLDER_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest(), len(data)


def _migrate(url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "-m", "compliance_hub", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


LOADED = ("certificates_contractor", "certificates_assignment", "certificates_certificate")


def _drop_secondary(conn: Any) -> tuple[list[str], list[str]]:
    """Drop the loaded tables' secondary indexes, unique and foreign-key constraints.

    Returns the SQL that recreates them (indexes first, then constraints).
    """
    tables = list(LOADED)
    constraints = conn.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')
        ORDER BY c.contype DESC, c.conname
        """,
        [tables],
    ).fetchall()
    indexes = conn.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c
            WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
              AND c.contype IN ('p', 'u', 'x'))
        ORDER BY 1
        """,
        [tables],
    ).fetchall()
    for table, name, _ in constraints:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    create_indexes = [definition for _, definition in indexes]
    add_constraints = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in constraints
    ]
    # Unique constraints (their indexes) before foreign keys.
    add_constraints.sort(key=lambda sql: " FOREIGN KEY " in sql)
    return create_indexes, add_constraints


FIRST_NAMES = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Chris", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Dorothy", "Kevin", "Carol", "Brian",
    "Amanda", "George", "Melissa", "Edward", "Deborah", "Ronald", "Stephanie", "Timothy",
    "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia",
]  # fmt: skip
SYLLABLES = [
    "ka", "lo", "mi", "ren", "son", "dar", "vel", "tor", "an", "be", "cor", "di", "el", "fa",
    "gu", "har", "ib", "jo", "ke", "lan",
]  # fmt: skip


def _fill(conn: Any, p: Params, sha256: str, size: int, log: Any) -> None:
    others = p.facilities - 1
    steps: list[tuple[str, str, list[Any]]] = [
        (
            "partner",
            """
            INSERT INTO facilities_partner (id, name, slug, support_email, producer_name,
              producer_address, producer_contact_name, producer_phone, producer_email,
              created_at)
            VALUES (%s, 'Shiftwise Staffing', 'shiftwise', 'support@shiftwise.example',
              'Shiftwise Insurance Brokers', '1 Broker Way, Columbus, OH 43215', 'Pat Broker',
              '+1 614 555 0100', 'broker@shiftwise.example', now())
            """,
            [PARTNER_ID],
        ),
        (
            "facilities",
            """
            INSERT INTO facilities_facility (id, partner_id, external_id, name, address_line1,
              address_line2, city, region, postal_code, country, bulk_download_enabled,
              created_at, updated_at)
            SELECT i, %s, 'F' || i,
              CASE WHEN i = %s THEN %s ELSE 'Facility ' || i END,
              '1 Main St', '', 'Columbus', 'OH', '43215', 'US', true, now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [PARTNER_ID, BIG_FACILITY_ID, BIG_FACILITY_NAME, p.facilities],
        ),
        (
            "contractors",
            """
            INSERT INTO certificates_contractor (id, partner_id, external_id, first_name,
              last_name, email, address_line1, address_line2, city, region, postal_code,
              country, search_name, created_at, updated_at)
            SELECT c.i, %s, 'C' || c.i, f.f, initcap(s1.s || s2.s || s3.s), '',
              c.i || ' Elm St', '', 'Columbus', 'OH', '43215', 'US',
              lower(f.f) || ' ' || s1.s || s2.s || s3.s, now(), now()
            FROM generate_series(1, %s) AS c(i)
            JOIN unnest(%s::text[]) WITH ORDINALITY AS f(f, n) ON f.n - 1 = (c.i * 7) %% 60
            JOIN unnest(%s::text[]) WITH ORDINALITY AS s1(s, n) ON s1.n - 1 = (c.i / 3) %% 20
            JOIN unnest(%s::text[]) WITH ORDINALITY AS s2(s, n) ON s2.n - 1 = (c.i / 61) %% 20
            JOIN unnest(%s::text[]) WITH ORDINALITY AS s3(s, n) ON s3.n - 1 = (c.i / 1201) %% 20
            """,
            [PARTNER_ID, p.contractors, FIRST_NAMES, SYLLABLES, SYLLABLES, SYLLABLES],
        ),
        (
            "assignments",
            # Facility 1: ids 1..big_facility, contractors 1..big_contractors; the others
            # round-robin over facilities 2..N with the remaining contractors. The current
            # certificate has the assignment's id (foreign keys are added afterwards).
            """
            INSERT INTO certificates_assignment (id, partner_id, facility_id, contractor_id,
              external_id, effective_date, end_date, description, status, contractor_name,
              sort_name, search_name, created_at, updated_at, cancelled_at,
              current_certificate_id)
            SELECT g.id, %(partner)s, g.facility_id, g.contractor_id, 'A' || g.id,
              g.effective_date,
              g.effective_date + CASE WHEN g.r < 700 THEN 0 WHEN g.r < 900 THEN 1 + g.r2 %% 6
                WHEN g.r < 990 THEN 7 + g.r2 %% 54 ELSE 61 + g.r2 %% 305 END,
              'Registered nurse, night shift',
              CASE WHEN g.r2 < 4 THEN 'cancelled' ELSE 'active' END,
              c.first_name || ' ' || c.last_name, lower(c.last_name) || ' ' || lower(c.first_name),
              c.search_name, now(), now(), CASE WHEN g.r2 < 4 THEN now() END, g.id
            FROM (
              SELECT i AS id,
                CASE WHEN i <= %(big)s THEN %(big_id)s ELSE 2 + (i - %(big)s - 1) %% %(others)s END
                  AS facility_id,
                CASE WHEN i <= %(big)s THEN 1 + (hashint4(i) & 2147483647) %% %(bigc)s
                  ELSE %(bigc)s + 1 + (hashint4(i) & 2147483647) %% (%(contractors)s - %(bigc)s)
                  END AS contractor_id,
                date '2021-01-01' + ((hashint4(i * 31) & 2147483647) %% 2000) AS effective_date,
                (hashint4(i * 17) & 2147483647) %% 1000 AS r,
                (hashint4(i * 13) & 2147483647) %% 400 AS r2
              FROM generate_series(1, %(n)s) AS i
            ) g JOIN certificates_contractor c ON c.id = g.contractor_id
            """,
            {
                "partner": PARTNER_ID,
                "big": p.big_facility,
                "big_id": BIG_FACILITY_ID,
                "others": others,
                "bigc": p.big_contractors,
                "contractors": p.contractors,
                "n": p.assignments,
            },
        ),
        (
            "superseded certificates",
            """
            INSERT INTO certificates_certificate (id, assignment_id, number, check_code,
              issued_at, status, snapshot, template_version, superseded_at, voided_at, pdf,
              sha256, size, rendered_at, supersedes_id)
            SELECT %(offset)s + a.id, a.id, 'CH-S' || lpad(to_hex(a.id::int), 8, '0'),
              'CHECK0000000', now() - interval '1 day', 'superseded',
              '{"bench": "superseded"}'::jsonb, 'coi-v1', now(), NULL, %(pdf)s, %(sha)s,
              %(size)s, now() - interval '1 day', NULL
            FROM generate_series(50, %(n)s, 50) AS a(id)
            """,
            {
                "offset": 2 * p.assignments,
                "n": p.assignments,
                "pdf": PLACEHOLDER_NAME,
                "sha": sha256,
                "size": size,
            },
        ),
        (
            "current certificates",
            """
            INSERT INTO certificates_certificate (id, assignment_id, number, check_code,
              issued_at, status, snapshot, template_version, superseded_at, voided_at, pdf,
              sha256, size, rendered_at, supersedes_id)
            SELECT a.id, a.id, 'CH-' || lpad(to_hex(a.id::int), 8, '0'), 'CHECK0000000', now(),
              CASE WHEN a.status = 'cancelled' THEN 'void' ELSE 'issued' END,
              jsonb_build_object('insured', jsonb_build_object('name', a.contractor_name),
                'assignment', jsonb_build_object('effective_date', a.effective_date,
                  'end_date', a.end_date)),
              'coi-v1', NULL, CASE WHEN a.status = 'cancelled' THEN now() END,
              %(pdf)s, %(sha)s, %(size)s, now(),
              CASE WHEN a.id %% 50 = 0 THEN %(offset)s + a.id END
            FROM certificates_assignment a
            """,
            {"pdf": PLACEHOLDER_NAME, "sha": sha256, "size": size, "offset": 2 * p.assignments},
        ),
        (
            # What the hub's assignment writes keep: each facility's "active during" bound.
            "longest assignments",
            """
            UPDATE facilities_facility f SET longest_assignment_days = a.days
            FROM (SELECT facility_id, max(end_date - effective_date) AS days
              FROM certificates_assignment GROUP BY facility_id) a
            WHERE a.facility_id = f.id
            """,
            [],
        ),
    ]
    for label, sql, args in steps:
        started = time.monotonic()
        conn.execute(sql, args)
        log(f"  {label}: {time.monotonic() - started:.1f} s")
    for table, count in [
        ("facilities_partner", 1),
        ("facilities_facility", p.facilities),
        ("certificates_contractor", p.contractors),
        ("certificates_assignment", p.assignments),
        ("certificates_certificate", 3 * p.assignments),
    ]:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)",
            [count],
        )


def build(
    quick: bool = False, force: bool = False, log: Any = print, params: Params | None = None
) -> dict[str, Any]:
    """Make sure the dataset exists; return its description (parameters, url, timings).

    ``params`` (or ``BENCH_SIZE``) picks another size; by default the quick or full one."""
    params = params or params_for(quick)
    url = database_url(quick, params)
    if not force:
        marker = existing(url, params)
        if marker is not None and (media_root(quick, params) / PLACEHOLDER_NAME).exists():
            log(f"dataset: reusing {_db_name(url)} (built {marker['built_at']})")
            _migrate(url)  # migrations added since the build (usually nothing to do)
            return {"url": url, "reused": True, **marker}
    started = time.monotonic()
    name = _db_name(url)
    log(f"dataset: building {name}: {params.assignments:,} assignments")
    with _connect(url, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    _migrate(url)
    log(f"  migrate: {time.monotonic() - started:.1f} s")
    sha256, size = _write_placeholder(quick, params)
    with _connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        create_indexes, add_constraints = _drop_secondary(conn)
        _fill(conn, params, sha256, size, log)
        step = time.monotonic()
        for sql in create_indexes:
            conn.execute(sql)
        log(f"  {len(create_indexes)} indexes: {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        for sql in add_constraints:
            conn.execute(sql)
        log(f"  {len(add_constraints)} constraints: {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        for table in (*LOADED, "facilities_facility", "facilities_partner"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
        log(f"  vacuum analyze: {time.monotonic() - step:.1f} s")
        seconds = round(time.monotonic() - started, 1)
        conn.execute(
            "CREATE TABLE bench_dataset (params jsonb NOT NULL, migrations text NOT NULL,"
            " built_at timestamptz NOT NULL DEFAULT now(), seconds real NOT NULL)"
        )
        conn.execute(
            "INSERT INTO bench_dataset (params, migrations, seconds) VALUES (%s, %s, %s)",
            [json.dumps(asdict(params)), _latest_migrations(), seconds],
        )
    log(f"dataset: built {name} in {seconds:.0f} s")
    marker = existing(url, params)
    assert marker is not None
    return {"url": url, "reused": False, **marker}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small CI dataset")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument(
        "--size",
        type=parse_size,
        default=None,
        help="TOTAL:LARGEST assignments (e.g. 500000:20000 or 20m:2m); default 5m:200k",
    )
    args = parser.parse_args()
    info = build(quick=args.quick, force=args.force, params=args.size)
    print(json.dumps(info, indent=2, default=str))


if __name__ == "__main__":
    main()
