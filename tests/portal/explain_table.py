"""Check the certificate table's SQL on a large database by hand (not collected by pytest).

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE h_table_big"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_table_big DEBUG=1 \\
        .venv/bin/compliance-hub migrate
    psql -h 127.0.0.1 -U postgres -d h_table_big -f tests/portal/bigdata.sql
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_table_big DEBUG=1 \\
        .venv/bin/python -m tests.portal.explain_table [plans|http] [FILTER-LABEL-PART]

``plans``: for each scenario, the statements ``table_page`` runs, each EXPLAIN ANALYZEd 7
times (median and max execution time), whether any plan has a sequential scan, and the
indexes used. ``http``: the whole page through Django (session, person, memberships,
rows, template), 30 requests per scenario, p50/p95 wall time and the query count.
Set ASSUME_DURATION_INDEX=1 when asg_fac_duration_idx was created by hand (docs/table.md).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_hub.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ACCESS_LOG", "0")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from compliance_hub.accounts.models import Person  # noqa: E402
from compliance_hub.certificates import queries  # noqa: E402
from compliance_hub.facilities.models import Facility, Membership  # noqa: E402

# (label, query string, cursor (position, value, id) or None)
SCENARIOS: list[tuple[str, str, tuple[str, Any, int] | None]] = [
    ("page 1 (default)", "", None),
    ("deep cursor effective desc", "", ("after", date(2021, 2, 1), 5000)),
    ("deep cursor effective asc", "dir=asc&sort=effective", ("after", date(2026, 4, 1), 5000)),
    ("before cursor", "", ("before", date(2023, 2, 1), 5000)),
    ("end sort page 1", "sort=end&dir=desc", None),
    ("end sort deep", "sort=end&dir=desc", ("after", date(2021, 3, 1), 5000)),
    ("name sort page 1", "sort=name&dir=asc", None),
    ("name sort deep", "sort=name&dir=asc", ("after", "velka", 5000)),
    ("name sort desc deep", "sort=name&dir=desc", ("after", "bedar", 5000)),
    ("effective range 1 month", "effective_from=2023-03-01&effective_to=2023-03-31", None),
    ("effective range 1 year", "effective_from=2023-01-01&effective_to=2023-12-31", None),
    ("effective from only (old)", "effective_from=2021-02-01", None),
    ("end range 1 month", "end_from=2023-03-01&end_to=2023-03-31", None),
    ("end range 1 year", "end_from=2023-01-01&end_to=2023-12-31", None),
    ("active 1 day", "active_from=2022-06-15&active_to=2022-06-15", None),
    ("active 1 month", "active_from=2022-06-01&active_to=2022-06-30", None),
    ("active 1 year", "active_from=2022-01-01&active_to=2022-12-31", None),
    (
        "active 1 month deep",
        "active_from=2022-06-01&active_to=2022-06-30",
        ("after", date(2022, 6, 2), 5000),
    ),
    ("active recent month", "active_from=2026-05-01&active_to=2026-05-31", None),
    ("active from only", "active_from=2026-01-01", None),
    ("active to only", "active_to=2021-03-01", None),
    ("status void", "status=void", None),
    ("status current", "status=current", None),
    ("name last-name prefix", "q=velka", None),
    ("name first-name prefix (broad)", "q=mich", None),
    ("name full", "q=michael+velkaka", None),
    ("name + active year", "q=velka&active_from=2022-01-01&active_to=2022-12-31", None),
    (
        "name sort + active month",
        "sort=name&dir=asc&active_from=2022-06-01&active_to=2022-06-30",
        None,
    ),
    (
        "end sort + effective month",
        "sort=end&dir=desc&effective_from=2023-03-01&effective_to=2023-03-31",
        None,
    ),
    (
        "eff+end+active combo",
        "effective_from=2022-01-01&effective_to=2022-12-31&end_from=2022-03-01"
        "&end_to=2022-09-30&active_from=2022-06-01&active_to=2022-06-30",
        None,
    ),
    (
        "all + name + void",
        "effective_from=2022-01-01&effective_to=2023-12-31&q=velka&status=void",
        None,
    ),
]


def _cursor(filters: queries.TableFilters, spec: tuple[str, Any, int] | None) -> Any:
    if spec is None:
        return None
    position, value, pk = spec
    return queries.Cursor(filters.sort, filters.direction, position, value, pk)  # type: ignore[arg-type]


def plans(facility: Facility, only: str) -> None:
    longest = queries.longest_assignment_days(facility)
    print(f"duration index: {queries.uses_duration_bound()}, longest assignment: {longest} days")
    for label, querystring, spec in SCENARIOS:
        if only and only not in label:
            continue
        filters, form = queries.parse_filters(QueryDict(querystring))
        assert not form.errors, form.errors
        with CaptureQueriesContext(connection) as ctx:
            page = queries.table_page(facility, filters, _cursor(filters, spec), longest=longest)
        statements = [q["sql"] for q in ctx.captured_queries]
        timings: list[float] = []
        seq, used = False, set()
        with connection.cursor() as cursor:
            for _ in range(7):
                total = 0.0
                for sql in statements:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                    lines = [row[0] for row in cursor.fetchall()]
                    total += float(lines[-1].split()[-2])
                    seq = seq or any("Seq Scan" in line for line in lines)
                    used |= {
                        line.split(" using ")[1].split()[0] for line in lines if " using " in line
                    }
                timings.append(total)
        count = f"{page.total}{'+' if page.total_capped else ''}"
        print(
            f"{label:32s} rows={len(page.rows):3d} count={count:7s} statements={len(statements)} "
            f"median={statistics.median(timings):6.2f}ms max={max(timings):6.2f}ms "
            f"seq_scan={'YES' if seq else 'no'} indexes={','.join(sorted(used))}"
        )


def http(facility: Facility, only: str) -> None:
    person, _ = Person.objects.get_or_create(email="explain-table@example.com")
    Membership.objects.get_or_create(person=person, facility=facility, revoked_at=None)
    client = Client(HTTP_HOST="localhost")
    client.force_login(person)
    base = f"/facilities/{facility.pk}/certificates/"
    client.get(base)
    for label, querystring, spec in SCENARIOS:
        if only and only not in label:
            continue
        filters, _form = queries.parse_filters(QueryDict(querystring))
        cursor = _cursor(filters, spec)
        params = querystring
        if cursor is not None:
            params += f"&{cursor.position}={cursor.encode()}"
        url = f"{base}?{params}"
        times = []
        for _ in range(30):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{label:32s} p50={statistics.median(times):6.2f}ms p95={p95:6.2f}ms "
            f"queries={len(ctx.captured_queries)}"
        )


def main() -> None:
    if os.environ.get("ASSUME_DURATION_INDEX"):  # the index exists in the database by hand
        queries.uses_duration_bound = lambda: True
    mode = sys.argv[1] if len(sys.argv) > 1 else "plans"
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    facility = Facility.objects.get(pk=1)
    (http if mode == "http" else plans)(facility, only)


if __name__ == "__main__":
    main()
