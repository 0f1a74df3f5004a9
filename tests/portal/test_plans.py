"""The plans the table's planner shapes buy (``certificates.queries``, "Planner shapes"), on
PostgreSQL with a dataset of 100,000 assignments (``bigdata.sql``; facility 1 has 20,000)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import needs

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent
SERVER = "postgres://postgres@127.0.0.1:5432"
# Pages whose filters touch only the dates and the status: their rows are found in a
# covering date index alone.
DATED = ["page 1", "deep effective desc", "end sort deep", "effective month", "end month",
         "active day", "active month", "active year", "end sort + active month"]  # fmt: skip


@pytest.fixture(scope="module")
def plans() -> Iterator[dict]:
    """Every scenario of ``explain_table.py``: its plans with and without the bounds."""
    import psycopg

    if shutil.which("psql") is None:
        needs.missing("psql", "apt-get install postgresql-client")
    name = f"h_table_plans_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        needs.missing("PostgreSQL at 127.0.0.1:5432", f"start it; it answered: {exc}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{name}", "DEBUG": "1", "ACCESS_LOG": "0"}

    def run(*command: str) -> str:
        done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        return done.stdout

    try:
        run(sys.executable, "-m", "compliance_hub", "migrate", "-v0")
        sizes = ["-v", "assignments=100000", "-v", "big=20000", "-v", "ON_ERROR_STOP=1"]
        run("psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", name, *sizes,
            "-f", str(HERE / "bigdata.sql"))  # fmt: skip
        out = run(sys.executable, "-m", "tests.portal.explain_table", "json")
        yield json.loads(out.strip().splitlines()[-1])
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _lines(plan: list[list[str]]) -> list[str]:
    return [line for statement in plan for line in statement]


def _read(plan: list[list[str]]) -> int:
    """Index entries and table rows the plan's scans read (kept or filtered out)."""
    total = loops = 0
    for line in _lines(plan):
        if scan := re.search(r"Scan .*rows=(\d+) loops=(\d+)", line):
            loops = int(scan[2])
            total += int(scan[1]) * loops
        elif removed := re.search(r"Rows Removed by Filter: (\d+)", line):
            total += int(removed[1]) * loops
    return total


def test_no_page_scans_a_large_table_sequentially(plans):
    for label, found in plans.items():
        assert not [line for line in _lines(found["plan"]) if "Seq Scan" in line], label


def test_a_page_reads_only_its_own_rows_from_the_table(plans):
    """The page's ids come first; the table is read for those (at most 51) only."""
    for label, found in plans.items():
        reads = [line for line in _lines(found["plan"]) if "certificates_assignment_pkey" in line]
        loops = [re.search(r"loops=(\d+)", line) for line in reads]
        empty = re.search(r"rows=0 loops", found["plan"][-1][0])  # no ids: nothing to read
        assert reads or empty, label
        assert all(int(n[1]) <= 51 for n in loops if n), label  # else never executed


def test_a_dated_page_finds_its_rows_in_a_date_index_alone(plans):
    for label in DATED:
        lines = _lines(plans[label]["plan"])
        scans = [line for line in lines if "Scan using asg_fac_" in line]
        assert scans and all("Index Only Scan" in line for line in scans), label
        assert all(line.strip() == "Heap Fetches: 0" for line in lines if "Heap Fetches" in line)


def test_active_during_reads_a_bounded_range_of_the_effective_dates(plans):
    """An overlap of September 2023 starts at most the longest assignment (362 days) before."""
    found = plans["active month mid"]
    assert "(effective_date >= '2022-09-04'::date)" in " ".join(_lines(found["plan"]))
    assert _read(found["plan"]) * 2 < _read(found["unbounded"])


@pytest.mark.parametrize(
    "label",
    [
        "end month",  # effective dates, newest first: from the month's end
        "effective asc + end month",  # oldest first: from its start less the longest
        "end sort + effective month",  # end dates, latest first: the month's end + longest
        "end asc + effective month",  # earliest first: from the month's start
        "end sort + active month",
    ],
)
def test_an_order_reads_its_index_from_near_the_matches(plans, label):
    """Where PostgreSQL walks the order's index (a facility of hundreds of thousands of
    rows; here with sorts disabled), the bounds start and stop it near the matches."""
    found = plans[label]
    assert _read(found["walk"]) * 2 < _read(found["walk_unbounded"]), label


def test_a_name_is_searched_in_the_name_indexes(plans):
    """A name's count, and a rare name's page (with or without other filters), are read from
    the name indexes alone; several words without reading the table for every row that has
    only one of the words."""
    for label in ("name first-name prefix", "name last-name prefix", "name + active year"):
        count, ids, *_ = plans[label]["plan"]
        for statement in (count, ids):
            scans = [line for line in statement if " Scan " in line]
            assert scans, label
            assert all("Index Only Scan using asg_fac_" in line for line in scans), scans
            assert {re.search(r"asg_fac_\w+", line)[0] for line in scans} == {
                "asg_fac_first_idx",
                "asg_fac_last_idx",
            }
            fetches = [line.strip() for line in statement if "Heap Fetches" in line]
            assert fetches and set(fetches) == {"Heap Fetches: 0"}, label
    full = plans["name full"]["plan"]
    assert not [line for line in _lines(full) if "Heap Scan" in line]
    assert _read(full) < 1000  # the arms' index entries, not every "michael"'s row
