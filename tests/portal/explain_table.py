"""The certificate table's query plans on a large database (run by tests/portal/test_plans.py,
or by hand):

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE h_table_big"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_table_big DEBUG=1 \\
        .venv/bin/compliance-hub migrate
    psql -h 127.0.0.1 -U postgres -d h_table_big -f tests/portal/bigdata.sql
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_table_big DEBUG=1 \\
        .venv/bin/python -m tests.portal.explain_table [plans|json] [LABEL-PART]

``plans``: for each scenario, the statement ``table_page`` runs, EXPLAIN ANALYZEd 7 times
(median and max execution time), whether its plan has a sequential scan, and the indexes
used. ``json``: each scenario's plans (``EXPLAIN (ANALYZE, BUFFERS)``, see ``as_json``) as one
JSON object on the last line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from datetime import date
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_hub.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ACCESS_LOG", "0")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from compliance_hub.certificates import queries  # noqa: E402
from compliance_hub.facilities.models import Facility  # noqa: E402

ACTIVE_MONTH = "active_from=2022-06-01&active_to=2022-06-30"
EFFECTIVE_MONTH = "effective_from=2023-03-01&effective_to=2023-03-31"
END_MONTH = "end_from=2023-03-01&end_to=2023-03-31"
# (label, query string, cursor values (after) or None)
SCENARIOS: list[tuple[str, str, tuple[Any, int] | None]] = [
    ("page 1", "", None),
    ("deep effective desc", "", (date(2021, 2, 1), 5000)),
    ("deep effective asc", "sort=effective&dir=asc", (date(2026, 4, 1), 5000)),
    ("end sort deep", "sort=end&dir=desc", (date(2021, 3, 1), 5000)),
    ("name sort deep", "sort=name&dir=asc", ("velka", 5000)),
    ("effective month", EFFECTIVE_MONTH, None),
    ("end month", END_MONTH, None),
    ("active day", "active_from=2022-06-15&active_to=2022-06-15", None),
    ("active month", ACTIVE_MONTH, None),
    ("active recent month", "active_from=2026-05-01&active_to=2026-05-31", None),
    ("active year", "active_from=2022-01-01&active_to=2022-12-31", None),
    ("active to only", "active_to=2021-03-01", None),
    ("status void", "status=void", None),
    ("name last-name prefix", "q=velka", None),
    ("name first-name prefix", "q=mich", None),
    ("name full", "q=michael+velkaka", None),
    ("name + active year", "q=velka&active_from=2022-01-01&active_to=2022-12-31", None),
    ("name sort + active month", "sort=name&dir=asc&" + ACTIVE_MONTH, None),
    ("end sort + active month", "sort=end&dir=desc&" + ACTIVE_MONTH, None),
    ("end sort + effective month", "sort=end&dir=desc&" + EFFECTIVE_MONTH, None),
    ("end asc + effective month", "sort=end&dir=asc&" + EFFECTIVE_MONTH, None),
    ("effective asc + end month", "sort=effective&dir=asc&" + END_MONTH, None),
    ("active month mid", "active_from=2023-09-01&active_to=2023-09-30", None),
]  # fmt: skip


def _statements(facility: Facility, querystring: str, after: Any) -> list[str]:
    """The statements ``table_page`` runs for this page."""
    filters, form = queries.parse_filters(QueryDict(querystring))
    assert not form.errors, form.errors
    cursor = queries.Cursor(after) if after else None
    with CaptureQueriesContext(connection) as ctx:
        queries.table_page(facility, filters, cursor)
    return [q["sql"] for q in ctx.captured_queries]


def _explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + sql)
        return [row[0] for row in cursor.fetchall()]


def plans(facility: Facility, only: str) -> None:
    print(f"longest assignment: {facility.longest_assignment_days} days")
    for label, querystring, after in SCENARIOS:
        if only and only not in label:
            continue
        timings: list[float] = []
        seq, used = False, set()
        for _ in range(7):
            total = 0.0
            for sql in _statements(facility, querystring, after):
                lines = _explain(sql)
                total += float(lines[-1].split()[-2])
                seq = seq or any("Seq Scan" in line for line in lines)
                used |= {line.split(" using ")[1].split()[0] for line in lines if " using " in line}
            timings.append(total)
        print(
            f"{label:32s} median={statistics.median(timings):6.2f}ms max={max(timings):6.2f}ms "
            f"seq_scan={'YES' if seq else 'no'} indexes={','.join(sorted(used))}"
        )


def as_json(facility: Facility, only: str) -> None:
    """Per scenario: ``plan``, ``unbounded`` (without the planner bounds), and both again as
    ``walk`` and ``walk_unbounded`` with sorts disabled: the plans PostgreSQL chooses for a
    facility of hundreds of thousands of rows, where it walks the order's index."""
    found: dict[str, Any] = {}
    bounds = queries._planner_bounds
    for label, querystring, after in SCENARIOS:
        if only and only not in label:
            continue
        found[label] = {}
        for walk in (False, True):
            with connection.cursor() as cursor:
                cursor.execute(f"SET enable_sort = {'off' if walk else 'on'}")
            for bounded in (True, False):
                if not bounded:
                    queries._planner_bounds = lambda *args, **kwargs: []
                try:
                    plans = [_explain(sql) for sql in _statements(facility, querystring, after)]
                finally:
                    queries._planner_bounds = bounds
                name = (
                    ("walk" if walk else "plan")
                    if bounded
                    else ("walk_" if walk else "") + "unbounded"
                )
                found[label][name] = plans
    print(json.dumps(found))


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "plans"
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    facility = Facility.objects.get(pk=1)
    (as_json if mode == "json" else plans)(facility, only)


if __name__ == "__main__":
    main()
