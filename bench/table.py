"""The certificate table at scale: server time per page vs its SQL and vs the Django admin.

    .venv/bin/python bench/table.py [--quick] [--json]

On the benchmark dataset (``bench/dataset.py``; built first if missing), facility 1 (200,000
assignments in the full dataset), as a signed-in member through Django's test client with
production settings (``DEBUG=0``): for page 1, deep pages (a keyset cursor 90% of the way
through) and every filter type, the whole request's wall time (p50/p95: session, person,
memberships, the page statement, the template), the number of queries the request made, and
whether any of their plans has a sequential scan. Each is compared with its **floor**: the
PostgreSQL execution time (``EXPLAIN ANALYZE``) of the page statement(s) ``table_page`` runs
for the same page. And with the **peer**: the Django admin changelist of assignments
(``/admin/certificates/assignment/``) showing the same rows — the same facility and date
filter, the deep page via ``?p=N`` (the admin's ``OFFSET`` paging) — signed in as an operator.

``run(quick) -> dict`` runs it in a child process (its own settings) and returns the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 30.0
# Deep pages: the admin changelist's time over the table's, unfiltered and date-filtered.
TARGET_ADMIN_RATIO = {"unfiltered": 10.0, "filtered": 5.0}
MAX_QUERIES = 4
MEMBER_EMAIL = "bench-table@example.com"
OPERATOR_EMAIL = "bench-operator@example.com"

ACTIVE_MONTH = "active_from=2022-06-01&active_to=2022-06-30"
EFFECTIVE_MONTH = "effective_from=2023-03-01&effective_to=2023-03-31"
# (label, query string, deep?) — deep pages start 90% of the way through the matches.
SCENARIOS: list[tuple[str, str, bool]] = [
    ("page 1 (effective date, newest first)", "", False),
    ("deep page (effective date)", "", True),
    ("deep page, oldest first", "sort=effective&dir=asc", True),
    ("end-date sort, page 1", "sort=end&dir=desc", False),
    ("end-date sort, deep", "sort=end&dir=desc", True),
    ("name sort, page 1", "sort=name&dir=asc", False),
    ("name sort, deep", "sort=name&dir=asc", True),
    ("effective range: 1 month", "effective_from=2023-03-01&effective_to=2023-03-31", False),
    ("effective range: 1 year", "effective_from=2023-01-01&effective_to=2023-12-31", False),
    ("effective range: 1 year, deep", "effective_from=2023-01-01&effective_to=2023-12-31", True),
    ("end range: 1 month", "end_from=2023-03-01&end_to=2023-03-31", False),
    ("end range: 1 year, deep", "end_from=2023-01-01&end_to=2023-12-31", True),
    ("active during: 1 day", "active_from=2022-06-15&active_to=2022-06-15", False),
    ("active during: 1 month", "active_from=2022-06-01&active_to=2022-06-30", False),
    ("active during: 1 month, deep", "active_from=2022-06-01&active_to=2022-06-30", True),
    ("active during: 1 year", "active_from=2022-01-01&active_to=2022-12-31", False),
    ("active during: 1 year, deep", "active_from=2022-01-01&active_to=2022-12-31", True),
    ("active from only", "active_from=2026-01-01", False),
    ("preset: last 6 months", "preset=last_6_months", False),
    ("preset: this year", "preset=this_year", False),
    ("preset: last year", "preset=last_year", False),
    ("preset: last year, deep", "preset=last_year", True),
    ("status: void", "status=void", False),
    ("status: current", "status=current", False),
    ("name search: last-name prefix", "q=velka", False),
    ("name search: first-name prefix (broad)", "q=mich", False),
    ("name search: full name", "q=michael+velkaka", False),
    ("name search + active year", "q=velka&active_from=2022-01-01&active_to=2022-12-31", False),
    ("name sort + active month", "sort=name&dir=asc&" + ACTIVE_MONTH, False),
    ("end sort + effective month", "sort=end&dir=desc&" + EFFECTIVE_MONTH, False),
    (
        "all date filters + status",
        "effective_from=2022-01-01&effective_to=2022-12-31&end_from=2022-03-01&end_to=2022-09-30"
        "&active_from=2022-06-01&active_to=2022-06-30&status=current",
        False,
    ),
]  # fmt: skip

# The admin comparison: (label, table query string, admin filter parameters, deep?).
ADMIN: list[tuple[str, str, str, bool]] = [
    ("page 1, no filter", "", "", False),
    ("deep page, no filter", "", "", True),
    (
        "effective year, page 1",
        "effective_from=2023-01-01&effective_to=2023-12-31",
        "effective_date__gte=2023-01-01&effective_date__lt=2024-01-01",
        False,
    ),
    (
        "effective year, deep page",
        "effective_from=2023-01-01&effective_to=2023-12-31",
        "effective_date__gte=2023-01-01&effective_date__lt=2024-01-01",
        True,
    ),
    (
        "active during a year, deep page",
        "active_from=2022-01-01&active_to=2022-12-31",
        "effective_date__lte=2022-12-31&end_date__gte=2022-01-01",
        True,
    ),
]
DEEP_FRACTION = 0.9


def run(quick: bool = False) -> dict[str, Any]:
    """The benchmark in a child process; its figures."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    if quick:
        command.append("--quick")
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"bench/table.py failed:\n{result.stdout[-3000:]}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _setup(quick: bool, say: Callable[[str], object]) -> dict[str, Any]:
    from bench import dataset

    info = dataset.build(quick=quick, log=say)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "compliance_hub.settings",
            "DATABASE_URL": info["url"],
            "DEBUG": "0",
            "SECRET_KEY": "bench-table-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "ACCESS_LOG": "0",
            "MEDIA_ROOT": str(dataset.media_root(quick)),
        }
    )
    import django

    django.setup()
    return info


def _explain(sql: str, analyze: bool) -> tuple[float, list[str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if analyze else "EXPLAIN (COSTS OFF) "
        cursor.execute(prefix + sql)
        lines = [row[0] for row in cursor.fetchall()]
    took = float(lines[-1].split()[-2]) if analyze else 0.0
    return took, lines


def _seq_scans(lines: list[str]) -> list[str]:
    return [line.split("Seq Scan on ")[1].split()[0] for line in lines if "Seq Scan on " in line]


# The tables that grow with the platform; a sequential scan of one of these is a failure. The
# session's person, the member's memberships and the facility rows are looked up by key, but
# PostgreSQL rightly reads a table of a few pages whole instead of through an index.
BIG_TABLES = {
    "certificates_assignment",
    "certificates_certificate",
    "certificates_contractor",
    "django_session",
}


def _time_request(client: Any, url: str) -> tuple[float, float, int, list[str]]:
    """One GET of ``url``: wall time (ms), this process's CPU time (ms: the Python side's own
    cost, which other work on the machine inflates less), the queries it made, their SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        took = (time.perf_counter() - started) * 1000
        cpu_took = (time.process_time() - cpu_started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    statements = [q["sql"] for q in ctx.captured_queries]
    # The session middleware refreshes the idle-timeout clock at most once a minute
    # (BEGIN, UPDATE "django_session", COMMIT): not part of the page, left out.
    counted = statements
    if any(q.startswith('UPDATE "django_session"') for q in statements):
        counted = [
            q
            for q in statements
            if q not in ("BEGIN", "COMMIT") and not q.startswith('UPDATE "django_session"')
        ]
    return took, cpu_took, len(counted), statements


@dataclass
class Samples:
    """The timings of one URL's requests."""

    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)

    def add(self, client: Any, url: str) -> None:
        took, cpu_took, count, statements = _time_request(client, url)
        self.times.append(took)
        self.cpu.append(cpu_took)
        self.counts.append(count)
        self.statements = statements


def _interleaved(
    requests: list[tuple[Any, str]], reps: int, warm: int = 2, block: int = 1
) -> list[Samples]:
    """``reps`` timed requests to each of ``requests`` (client, url), taken in turns of
    ``block`` requests to one URL, then the next.

    In turns rather than one URL's requests in a row: on shared cores the machine's speed
    drifts over seconds, and a slow spell would otherwise land on a single page's figures.
    ``block`` > 1 for the admin comparison: right after a slow admin request (hundreds
    of rows built and rendered) the next request finds the CPU caches full of the admin's
    work; in blocks of 4, that cost lands on one table request in 4, not on all of them.
    """
    for client, url in requests:
        for _ in range(warm):
            _time_request(client, url)
    samples = [Samples() for _ in requests]
    for _ in range(max(1, reps // block)):
        for (client, url), sample in zip(requests, samples, strict=True):
            for _ in range(block):
                sample.add(client, url)
    return samples


def measure(quick: bool, say: Callable[[str], object] = print) -> dict[str, Any]:
    started_all = time.monotonic()
    load_at_start = round(os.getloadavg()[0], 1)
    info = _setup(quick, say)
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.dataset import BIG_FACILITY_ID
    from compliance_hub.accounts.models import Person
    from compliance_hub.certificates import queries
    from compliance_hub.facilities.models import Facility, Membership

    reps = 6 if quick else 40
    admin_reps = 3 if quick else 24
    admin_block = 1 if quick else 4
    explain_reps = 2 if quick else 7

    facility = Facility.objects.get(pk=BIG_FACILITY_ID)
    member = Person.objects.filter(email=MEMBER_EMAIL).first() or Person.objects.create_user(
        MEMBER_EMAIL, name="Bench Member"
    )
    Membership.objects.get_or_create(person=member, facility=facility, revoked_at=None)
    operator = Person.objects.filter(
        email=OPERATOR_EMAIL
    ).first() or Person.objects.create_superuser(OPERATOR_EMAIL, name="Bench Operator")
    with connection.cursor() as db:  # the new rows must not make the planner guess
        db.execute("ANALYZE accounts_person; ANALYZE facilities_membership")
    client = Client()
    client.force_login(member)
    base = f"/facilities/{facility.pk}/certificates/"
    client.get(base)  # sets last_facility once
    longest = facility.longest_assignment_days
    total = facility.assignments.count()
    say(
        f"facility {facility.pk} ({total:,} assignments); longest assignment bound: "
        f"{longest} days; {reps} requests each"
    )

    def deep_cursor(filters: Any) -> tuple[Any, int]:
        """A cursor 90% of the way through the matches, and that offset."""
        matches = queries.filtered_assignments(facility, filters)
        count = matches.count()
        offset = max(1, int(count * DEEP_FRACTION))
        column = queries.SORT_COLUMNS[filters.sort]
        return queries.Cursor(matches.values_list(column, "id")[offset - 1]), offset

    def after(filters: Any, cursor: Any) -> str:
        return f"after={queries.keyset(filters).cursor(cursor.values)}"

    prepared: list[dict[str, Any]] = []
    for label, querystring, deep in SCENARIOS:
        filters, form = queries.parse_filters(QueryDict(querystring))
        if form.errors:
            raise RuntimeError(f"{label}: {form.errors.as_json()}")
        cursor, offset = deep_cursor(filters) if deep else (None, 0)
        # The floor: the page statement(s) table_page runs, EXPLAIN ANALYZEd.
        with CaptureQueriesContext(connection) as ctx:
            page = queries.table_page(facility, filters, cursor)
        page_sql = [q["sql"] for q in ctx.captured_queries]
        sql_ms: list[float] = []
        plan_seq: list[str] = []
        indexes: set[str] = set()
        for _ in range(explain_reps):
            took = 0.0
            for sql in page_sql:
                ms, lines = _explain(sql, analyze=True)
                took += ms
                plan_seq += _seq_scans(lines)
                indexes |= {
                    line.split(" using ")[1].split()[0] for line in lines if " using " in line
                }
            sql_ms.append(took)
        params = querystring
        if cursor is not None:
            params = (params + "&" if params else "") + after(filters, cursor)
        prepared.append(
            {
                "label": label,
                "params": params,
                "offset": offset,
                "page": page,
                "sql_ms": sql_ms,
                "plan_seq": plan_seq,
                "indexes": indexes,
            }
        )

    timed = _interleaved([(client, f"{base}?{p['params']}") for p in prepared], reps)
    scenarios: list[dict[str, Any]] = []
    for prep, samples in zip(prepared, timed, strict=True):
        label, params, page = prep["label"], prep["params"], prep["page"]
        request_seq: list[str] = []
        for sql in samples.statements:
            if sql.startswith("SELECT"):
                request_seq += _seq_scans(_explain(sql, analyze=False)[1])
        times = samples.times
        p50, p95 = statistics.median(times), _percentile(times, 0.95)
        floor = statistics.median(prep["sql_ms"])
        plan_seq = prep["plan_seq"]
        row = {
            "label": label,
            "query": params if len(params) < 120 else params[:117] + "...",
            "deep_offset": prep["offset"],
            "rows": len(page.rows),
            "count": f"{page.total:,}{'+' if page.total_capped else ''}",
            "p50_ms": round(p50, 2),
            "p95_ms": round(p95, 2),
            "sql_ms": round(floor, 2),
            "cpu_p50_ms": round(statistics.median(samples.cpu), 2),
            "ratio_p50": round(p50 / floor, 1) if floor else None,
            "queries": max(samples.counts),
            "seq_scans": sorted({t for t in plan_seq + request_seq if t in BIG_TABLES}),
            "small_table_seq_scans": sorted(
                {t for t in plan_seq + request_seq if t not in BIG_TABLES}
            ),
            "indexes": sorted(prep["indexes"]),
        }
        scenarios.append(row)
        say(
            f"{label:42s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  SQL {floor:6.2f} ms  "
            f"CPU {row['cpu_p50_ms']:5.1f} ms  "
            f"queries {row['queries']}  count {row['count']:>8s}  "
            f"seq scan {'YES ' + ','.join(row['seq_scans']) if row['seq_scans'] else 'none'}"
        )

    # The peer: the Django admin changelist with the same facility and date filter.
    admin_client = Client()
    admin_client.force_login(operator)
    admin_base = "/admin/certificates/assignment/"
    admin_rows: list[dict[str, Any]] = []
    for label, table_qs, admin_qs, deep in ADMIN:
        filters, _form = queries.parse_filters(QueryDict(table_qs))
        cursor, offset = deep_cursor(filters) if deep else (None, 0)
        params = table_qs
        if cursor is not None:
            params = (params + "&" if params else "") + after(filters, cursor)
        # The admin shows 100 rows a page; page p (0-based ?p=) starts at row 100 * p.
        admin_params = f"facility__id__exact={facility.pk}" + (f"&{admin_qs}" if admin_qs else "")
        page_number = offset // 100
        if page_number:
            admin_params += f"&p={page_number}"
        # In alternate blocks, so that both see the same machine.
        table_samples, admin_samples = _interleaved(
            [(client, f"{base}?{params}"), (admin_client, f"{admin_base}?{admin_params}")],
            admin_reps,
            warm=1,
            block=admin_block,
        )
        table_times, admin_times = table_samples.times, admin_samples.times
        admin_counts = admin_samples.counts
        t50, t95 = statistics.median(table_times), _percentile(table_times, 0.95)
        a50, a95 = statistics.median(admin_times), _percentile(admin_times, 0.95)
        row = {
            "label": label,
            "deep_offset": offset,
            "table_p50_ms": round(t50, 2),
            "table_p95_ms": round(t95, 2),
            "admin_p50_ms": round(a50, 2),
            "admin_p95_ms": round(a95, 2),
            "admin_queries": max(admin_counts),
            "admin_url": f"{admin_base}?{admin_params}",
            "speedup_p50": round(a50 / t50, 1),
            "target_ratio": TARGET_ADMIN_RATIO["filtered" if admin_qs else "unfiltered"],
        }
        admin_rows.append(row)
        say(
            f"admin vs table: {label:34s} table p50 {t50:6.1f} ms  admin p50 {a50:7.1f} ms  "
            f"({row['speedup_p50']:.1f}x)"
        )

    worst = max(scenarios, key=lambda r: r["p95_ms"])
    deep_admin = [r for r in admin_rows if r["deep_offset"]]
    # The deep page furthest below its target (the ratio over its target, lowest).
    worst_admin = min(deep_admin, key=lambda r: r["speedup_p50"] / r["target_ratio"])
    seq = [r["label"] for r in scenarios if r["seq_scans"]]
    # A name search first counts the name's rows, then (a rare name) reads the page's ids
    # from the name indexes: two queries more than any other page (docs/table.md).
    named = [r for r in scenarios if r["label"].startswith("name search")]
    most_queries = max(r["queries"] for r in scenarios if r not in named)
    most_named_queries = max((r["queries"] for r in named), default=0)
    return {
        "name": "certificate table",
        "dataset": {k: v for k, v in info.items() if k != "url"},
        "facility_assignments": total,
        "longest_assignment_days": longest,
        "requests_per_scenario": reps,
        "admin_requests_per_scenario": admin_reps,
        "scenarios": scenarios,
        "admin": admin_rows,
        "worst_p95_ms": worst["p95_ms"],
        "worst_p95_label": worst["label"],
        "page1_p95_ms": scenarios[0]["p95_ms"],
        "page1_p50_ms": scenarios[0]["p50_ms"],
        "page1_sql_ms": scenarios[0]["sql_ms"],
        "deep_p95_ms": scenarios[1]["p95_ms"],
        "deep_p50_ms": scenarios[1]["p50_ms"],
        "deep_sql_ms": scenarios[1]["sql_ms"],
        "p95_target_ms": TARGET_P95_MS,
        "p95_met_count": sum(1 for r in scenarios if r["p95_ms"] <= TARGET_P95_MS),
        "scenario_count": len(scenarios),
        "min_deep_admin_speedup": worst_admin["speedup_p50"],
        "admin_target_ratio": worst_admin["target_ratio"],
        "max_queries": most_queries,
        "max_queries_name_search": most_named_queries,
        "seq_scan_scenarios": seq,
        "load_average_at_end": round(os.getloadavg()[0], 1),
        "load_average_at_start": load_at_start,
        "seconds": round(time.monotonic() - started_all, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small dataset, fewer requests")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    args = parser.parse_args()
    say: Callable[[str], object] = (
        (lambda line: print(line, file=sys.stderr)) if args.json else print
    )
    result = measure(args.quick, say)
    if args.json:
        print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
