"""Run every benchmark against its floor and write the results (``make bench``).

    .venv/bin/python bench/run.py            # full: 5M-assignment dataset, docs/benchmarks.md
    .venv/bin/python bench/run.py --quick    # CI smoke run: small dataset, var/bench/
    .venv/bin/python bench/run.py --only table --only exports

Each benchmark runs in its own process (its own Django settings and database); one that is
missing or fails is reported as such in the results and the others still run. The exit
status is non-zero if any benchmark failed, **not** when a target is missed (the figures are
the output) nor when a module is missing (reported as such).

Databases: the dataset (``bench/dataset.py``, ``BENCH_DATABASE_URL``) for the table, the
exports, the audit reconciliation and the load test; a scratch database next to it
(``…_scratch``, created and migrated here) for issuance and the partner API, which create
and delete their own rows.

Results: ``docs/benchmarks.md`` and ``var/bench/results.json`` (full), or
``var/bench/benchmarks-quick.md`` and ``var/bench/results-quick.json`` (quick: the committed
figures are never overwritten by a smoke run).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import platform
import shlex
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCHMARKS = [
    "table",
    "issuance",
    "api_bulk",
    "exports",
    "audit_reconcile",
    "audit_packet",
    "digest",
    "load",
]
DESCRIPTIONS = {
    "table": "certificate table pages (bench/table.py)",
    "issuance": "certificate issuance (bench/issuance.py)",
    "api_bulk": "partner API bulk upsert (bench/api_bulk.py)",
    "exports": "bulk ZIP and CSV export (bench/exports.py)",
    "audit_reconcile": "payment-schedule reconciliation (bench/audit_reconcile.py)",
    "audit_packet": "audit packet with certificate PDFs, streamed (bench/audit_packet.py)",
    "digest": "weekly digest e-mails for every facility (bench/digest.py)",
    "load": "load test (bench/load.py)",
}
PORT = int(os.environ.get("BENCH_PORT", "8551"))  # for benchmarks that start a server
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-run-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
    "ACCESS_LOG": "0",
}


def scratch_url(quick: bool) -> str:
    from bench import dataset

    parts = urlsplit(dataset.database_url(quick))
    return urlunsplit(parts._replace(path=parts.path + "_scratch"))


def _ensure_scratch(url: str) -> None:
    """Create (if missing) and migrate the scratch database."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "-m", "compliance_hub", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV, "DATABASE_URL": url},
        check=True,
    )


# --- one benchmark, in a child process ------------------------------------------------------


def child(name: str, quick: bool) -> dict[str, Any]:
    """Import ``bench/<name>.py`` and call its ``run``; the environment is already set."""
    module_path = ROOT / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench.{name}", module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    run: Callable[..., dict[str, Any]] = module.run
    parameters = inspect.signature(run).parameters
    if name == "exports" and "port" not in parameters:
        # Its run() has no port argument: call its command line with ours (see PORT).
        command = [sys.executable, str(module_path), "--db-url", os.environ["DATABASE_URL"]]
        command += ["--json", "--port", str(PORT)] + (["--quick"] if quick else [])
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"bench/exports.py exited with {done.returncode}")
        figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return figures
    kwargs: dict[str, Any] = {}
    if "port" in parameters:
        kwargs["port"] = PORT
    if "db_url" in parameters:
        kwargs["db_url"] = os.environ["DATABASE_URL"]
    if "quick" in parameters:
        kwargs["quick"] = quick
    if "repeat" in parameters:  # the export timings swing with the disk: median of three
        kwargs["repeat"] = 1 if quick else 3
    if "report" in parameters:
        kwargs["report"] = lambda line: print(line, file=sys.stderr, flush=True)
    return run(**kwargs)


def _environment(name: str, quick: bool, dataset_url: str) -> dict[str, str]:
    from bench import dataset

    env = {**os.environ, **PRODUCTION_ENV, "BENCH_QUICK": "1" if quick else "0"}
    if name in ("issuance", "api_bulk"):
        env["DATABASE_URL"] = scratch_url(quick)
        env["MEDIA_ROOT"] = str(ROOT / "var" / "bench" / "media-scratch")
    else:
        env["DATABASE_URL"] = dataset_url
        env["MEDIA_ROOT"] = str(dataset.media_root(quick))
    if name == "load":  # it drops and creates its own database: never someone else's
        env["LOAD_DATABASE"] = "compliance_hub_bench_load" + ("_quick" if quick else "")
    if name == "exports":
        env["MEDIA_ROOT"] = str(
            ROOT / "var" / "bench" / ("exports-media-quick" if quick else "exports-media")
        )
    env["BENCH_DATABASE_URL"] = dataset_url
    return env


def run_one(name: str, quick: bool, dataset_url: str) -> dict[str, Any]:
    if not (ROOT / "bench" / f"{name}.py").exists():
        return {"status": "missing", "error": f"bench/{name}.py does not exist"}
    started = time.monotonic()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name]
    if quick:
        command.append("--quick")
    print(f"== {name}: {DESCRIPTIONS.get(name, name)}", flush=True)
    process = subprocess.run(
        command,
        cwd=ROOT,
        env=_environment(name, quick, dataset_url),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = round(time.monotonic() - started, 1)
    lines = process.stdout.strip().splitlines()
    if process.returncode != 0 or not lines:
        tail = "\n".join(lines[-20:])
        return {"status": "error", "seconds": seconds, "error": tail or "no output"}
    try:
        payload = json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"status": "error", "seconds": seconds, "error": lines[-1][:500]}
    if "error" in payload:
        return {"status": "error", "seconds": seconds, "error": payload["error"]}
    print(f"   done in {seconds:.0f} s", flush=True)
    return {"status": "ok", "seconds": seconds, "result": payload["result"]}


# --- the report -----------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    postgres = ""
    try:
        out = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        postgres = out
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "os": platform.platform(),
        "postgres_client": postgres,
        "load_average_at_start": round(os.getloadavg()[0], 1),
    }


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def _met(flag: bool | None) -> str:
    return "—" if flag is None else ("yes" if flag else "**no**")


X = "\N{MULTIPLICATION SIGN}"
Row = tuple[str, str, str, str, str, str]  # figure, value, floor, ratio, target, met


def _rows_table(result: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    s = {r["label"]: r for r in result["scenarios"]}
    for label in ("page 1 (effective date, newest first)", "deep page (effective date)"):
        r = s[label]
        rows.append(
            (
                f"Table {label}: p95 (p50) server time",
                f"{_fmt(r['p95_ms'], 'ms')} ({_fmt(r['p50_ms'], 'ms')})",
                f"SQL {_fmt(r['sql_ms'], 'ms')} (EXPLAIN ANALYZE)",
                f"{r['p50_ms'] / r['sql_ms']:.1f}{X} (p50)" if r["sql_ms"] else "—",
                f"p95 ≤ {result['p95_target_ms']:g} ms",
                _met(r["p95_ms"] <= result["p95_target_ms"]),
            )
        )
    rows.append(
        (
            f"Table worst p95 over {result['scenario_count']} pages (every filter type)",
            f"{_fmt(result['worst_p95_ms'], 'ms')} ({result['worst_p95_label']})",
            "see the per-page table",
            "—",
            f"p95 ≤ {result['p95_target_ms']:g} ms at any depth",
            _met(result["worst_p95_ms"] <= result["p95_target_ms"]),
        )
    )
    rows.append(
        (
            f"Table pages within p95 ≤ {result['p95_target_ms']:g} ms",
            f"{result['p95_met_count']} of {result['scenario_count']}",
            "—",
            "—",
            "all",
            _met(result["p95_met_count"] == result["scenario_count"]),
        )
    )
    deep = [r for r in result["admin"] if r["deep_offset"]]
    worst = min(deep, key=lambda r: r["speedup_p50"] / r.get("target_ratio", 10.0))
    rows.append(
        (
            f"Deep pages: admin changelist time ÷ table time (p50, lowest of {len(deep)} filters)",
            f"{worst['speedup_p50']:.1f}{X} ({worst['label']})",
            f"admin {_fmt(worst['admin_p50_ms'], 'ms')} vs table "
            f"{_fmt(worst['table_p50_ms'], 'ms')}",
            "—",
            f"≥ {worst.get('target_ratio', 10.0):g}{X} (10{X} unfiltered, 5{X} date-filtered)",
            _met(all(r["speedup_p50"] >= r.get("target_ratio", 10.0) for r in deep)),
        )
    )
    rows.append(
        (
            "Queries per table page (max over every page; with a name search)",
            f"{result['max_queries']}; {result.get('max_queries_name_search', '—')}",
            "—",
            "—",
            "≤ 4; ≤ 6",
            _met(result["max_queries"] <= 4 and result.get("max_queries_name_search", 0) <= 6),
        )
    )
    seq = result["seq_scan_scenarios"]
    rows.append(
        (
            "Pages with a sequential scan of a large table",
            str(len(seq)) + (f" ({', '.join(seq)})" if seq else ""),
            "—",
            "—",
            "0",
            _met(not seq),
        )
    )
    return rows


def _rows_issuance(result: dict[str, Any]) -> list[Row]:
    unit = result.get("unit", "certificates/s/core")
    return [
        (
            "Certificate issuance (snapshot + PDF + store, bulk path)",
            _fmt(result["figure"], unit),
            f"blank fpdf2 page {_fmt(result['floor'], '/s/core')}",
            f"{result['ratio']:.2f}",
            f"≥ {_fmt(result.get('target'), '/s/core')}",
            _met(result.get("meets_target")),
        )
    ]


def _rows_api(result: dict[str, Any]) -> list[Row]:
    target = result.get("target", 1000.0)
    rows: list[Row] = []
    for key, label in (
        ("new", "new assignments (each issues a certificate)"),
        ("unchanged", "unchanged re-sends"),
    ):
        r = result[key]
        rows.append(
            (
                f"API bulk upsert, {label}",
                _fmt(r["per_second"], "assignments/s"),
                "—",
                "—",
                f"≥ {_fmt(target, '/s')}",
                _met(r["per_second"] >= target),
            )
        )
    return rows


def _rows_exports(result: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    z = result.get("zip")
    if z:
        base = z["zip_0"]
        rows.append(
            (
                f"ZIP of {z['certificates']:,} certificates: time (throughput)",
                f"{_fmt(z['wall_s'], 's')} ({_fmt(z['mb_per_s'], 'MB/s')})",
                f"`zip -0` {_fmt(base['wall_s'], 's')} ({_fmt(base['mb_per_s'], 'MB/s')})",
                f"{z['vs_zip_0']:.2f}{X} the time",
                f"≤ 2{X} `zip -0`",
                _met(z["vs_zip_0"] <= 2.0),
            )
        )
        rows.append(
            (
                "ZIP: peak RSS of the web worker",
                _fmt(z["peak_rss_mb"], "MB"),
                f"RSS before {_fmt(z.get('rss_before_mb'), 'MB')}",
                "—",
                "< 150 MB",
                _met(z["peak_rss_mb"] < 150),
            )
        )
    c = result.get("csv")
    if c:
        copy = c.get("copy")
        rows.append(
            (
                f"CSV export of {c.get('rows', 0):,} rows: time",
                f"{_fmt(c['wall_s'], 's')} ({_fmt(c['mb_per_s'], 'MB/s')}, peak RSS "
                f"{_fmt(c.get('peak_rss_mb'), 'MB')})",
                f"`COPY … TO STDOUT` {_fmt(copy['wall_s'], 's')}" if copy else "—",
                f"{c['vs_copy']:.2f}{X}" if copy else "—",
                f"≤ 2{X} COPY",
                _met(c["vs_copy"] <= 2.0) if copy else None,
            )
        )
    return rows


def _rows_audit(result: dict[str, Any]) -> list[Row]:
    return [
        (
            f"Payment-schedule reconciliation, {result['rows']:,} rows ({result['format']})",
            f"{_fmt(result['total_s'], 's')} (upload {_fmt(result['upload_s'], 's')} + run "
            f"{_fmt(result['run_s'], 's')})",
            "—",
            "—",
            f"< {_fmt(result['target_s'], 's')}",
            _met(result["total_s"] < result["target_s"]),
        )
    ]


def _rows_packet(result: dict[str, Any]) -> list[Row]:
    return [
        (
            f"Audit packet, {result['rows']:,} rows + {result['pdfs']:,} certificate PDFs "
            "(streamed)",
            f"{_fmt(result['packet_s'], 's')} ({_fmt(result['packet_mb'], 'MB')}); "
            f"peak RSS {_fmt(result['peak_rss_mb'], 'MB')}",
            "—",
            "—",
            "constant memory",
            "—",
        )
    ]


def _rows_digest(result: dict[str, Any]) -> list[Row]:
    return [
        (
            f"Weekly digest of one week for all {result['facilities']:,} facilities: "
            f"{result['emails']:,} e-mails ({result['new_certificates_reported']:,} new, "
            f"{result['void_reported']:,} void, {result['superseded_reported']:,} superseded "
            "certificates reported)",
            f"{_fmt(result['figure'], 's')} (queries {_fmt(result['news_queries_s'], 's')}, "
            f"e-mails rendered and queued {_fmt(result['emails_s'], 's')})",
            "—",
            "—",
            f"< {_fmt(result['target'], 's')}",
            _met(result["meets_target"]),
        )
    ]


def _rows_generic(name: str, result: dict[str, Any]) -> list[Row]:
    """A module following the ``figure/floor/ratio/unit/target/meets_target`` convention."""
    if isinstance(result.get("rows"), list):
        rows: list[Row] = []
        for r in result["rows"]:
            rows.append(
                (
                    str(r.get("name", name)),
                    _fmt(r.get("figure"), r.get("unit", "")),
                    _fmt(r.get("floor")),
                    _fmt(r.get("ratio")),
                    _fmt(r.get("target")),
                    _met(r.get("meets_target")),
                )
            )
        return rows
    if "figure" in result:
        return [
            (
                str(result.get("name", name)),
                _fmt(result.get("figure"), result.get("unit", "")),
                _fmt(result.get("floor")),
                _fmt(result.get("ratio")),
                _fmt(result.get("target")),
                _met(result.get("meets_target")),
            )
        ]
    return []


def _rows_load(result: dict[str, Any]) -> list[Row]:
    consistent = all(
        result.get(key) == 0 for key in ("lost", "unexpected", "duplicated", "without_certificate")
    )
    return [
        (
            f"Load: {result['users']} users for {result['duration_s']:.0f} s (sign-ins, table "
            f"pages, PDF downloads, API bulk upserts; {result.get('gunicorn', '')})",
            f"{_fmt(result['throughput_rps'], 'requests/s')}, p50 {_fmt(result['p50_ms'], 'ms')}, "
            f"p95 {_fmt(result['p95_ms'], 'ms')}",
            "—",
            "—",
            "0 errors; every assignment stored once with one current certificate",
            _met(result["errors"] == 0 and consistent),
        )
    ]


ROW_BUILDERS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "load": _rows_load,
    "table": _rows_table,
    "issuance": _rows_issuance,
    "api_bulk": _rows_api,
    "exports": _rows_exports,
    "audit_reconcile": _rows_audit,
    "audit_packet": _rows_packet,
    "digest": _rows_digest,
}


def summary_rows(name: str, outcome: dict[str, Any]) -> list[Row]:
    if outcome["status"] != "ok":
        word = {
            "missing": "not run: module missing",
            "skipped": "not run (--only)",
        }.get(outcome["status"], "ERROR")
        met = "—" if outcome["status"] == "skipped" else "**no**"
        return [(DESCRIPTIONS.get(name, name), word, "—", "—", "—", met)]
    result = outcome["result"]
    try:
        builder = ROW_BUILDERS.get(name)
        rows = builder(result) if builder else _rows_generic(name, result)
    except (KeyError, TypeError, ZeroDivisionError) as exc:
        rows = [(DESCRIPTIONS.get(name, name), f"unreadable result ({exc!r})", "—", "—", "—", "—")]
    if not rows:
        rows = [(DESCRIPTIONS.get(name, name), "see the details below", "—", "—", "—", "—")]
    return rows


def _table_details(result: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "### Table pages in detail",
        "",
        f"Facility 1, {result['facility_assignments']:,} assignments; "
        f"{result['requests_per_scenario']} requests per page after 2 warm-up requests, through "
        "Django's test client with production settings (`DEBUG=0`), signed in as a member. "
        "*SQL* is the PostgreSQL execution time of the page statement(s) `table_page` runs "
        "(rows, capped count and certificate numbers in one statement), median of the "
        "`EXPLAIN ANALYZE` runs. *CPU* is the benchmark process's own CPU time per request "
        "(Python: middleware, view, ORM, template), less sensitive than wall time to other "
        "work on the machine. *Queries* counts every query of the request (session, person, "
        "memberships, page) except the session's once-a-minute idle-clock write (`BEGIN`, "
        "`UPDATE`, `COMMIT`). "
        f'The facility\'s longest assignment (the "active during" bound): '
        f"{result['longest_assignment_days']} days.",
        "",
        "| page | rows shown / count | p50 | p95 | CPU p50 | SQL | queries "
        "| large-table seq scans | indexes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["scenarios"]:
        deep = f" (from row {r['deep_offset']:,})" if r["deep_offset"] else ""
        lines.append(
            f"| {r['label']}{deep} | {r['rows']} / {r['count']} | {_fmt(r['p50_ms'], 'ms')} | "
            f"{_fmt(r['p95_ms'], 'ms')} | {_fmt(r.get('cpu_p50_ms'), 'ms')} | "
            f"{_fmt(r['sql_ms'], 'ms')} | {r['queries']} | "
            f"{', '.join(r['seq_scans']) or 'none'} | {', '.join(r['indexes'])} |"
        )
    small = sorted({t for r in result["scenarios"] for t in r.get("small_table_seq_scans", [])})
    if small:
        lines += [
            "",
            f"Sequential scans of small tables ({', '.join(small)}): the signed-in person, "
            "their memberships and the facility are fetched by key, and PostgreSQL reads a "
            "table of a few pages whole rather than through an index; they do not grow with "
            "assignments.",
        ]
    lines += [
        "",
        "**The peer: the Django admin changelist** (`/admin/certificates/assignment/`, signed in "
        "as an operator; 100 rows a page, `OFFSET` paging, a full `COUNT(*)`), same facility "
        "and date filter, the deep page via `?p=N` at the same row as the table's cursor:",
        "",
        "| rows | table p50 / p95 | admin p50 / p95 | admin ÷ table (p50) |",
        "|---|---|---|---|",
    ]
    for r in result["admin"]:
        deep = f" (from row {r['deep_offset']:,})" if r["deep_offset"] else ""
        lines.append(
            f"| {r['label']}{deep} | {_fmt(r['table_p50_ms'], 'ms')} / "
            f"{_fmt(r['table_p95_ms'], 'ms')} | {_fmt(r['admin_p50_ms'], 'ms')} / "
            f"{_fmt(r['admin_p95_ms'], 'ms')} | {r['speedup_p50']:.1f}{X} |"
        )
    return lines


def render(
    outcomes: dict[str, dict[str, Any]],
    machine: dict[str, Any],
    dataset_info: dict[str, Any],
    command: str,
    quick: bool,
    started: datetime,
    seconds: float,
    notes: str,
) -> str:
    lines = [
        "# Benchmarks" + (" (quick smoke run)" if quick else ""),
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command}` "
        f"({seconds / 60:.0f} minutes in all).",
        "",
        f"Machine: {machine['cpus']} CPUs ({machine['cpu']}), {machine['memory']} RAM, "
        f"Python {machine['python']}, {machine['postgres_client']} (server on the same machine), "
        f"load average {machine['load_average_at_start']} at the start.",
        "",
        f"Dataset (`bench/dataset.py`): {dataset_info.get('assignments', 0):,} assignments over "
        f"{dataset_info.get('facilities', 0):,} facilities (facility 1 has "
        f"{dataset_info.get('big_facility', 0):,}), {dataset_info.get('contractors', 0):,} "
        f"contractors, one certificate each plus 2% superseded; built in "
        f"{dataset_info.get('build_seconds', 0):.0f} s "
        f"({'reused' if dataset_info.get('reused') else 'built by this run'}).",
        "",
        "| figure | value | floor / peer | ratio | target | met? |",
        "|---|---|---|---|---|---|",
    ]
    for name in BENCHMARKS:
        for row in summary_rows(name, outcomes[name]):
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    if notes:
        lines += ["", notes.strip()]
    table = outcomes.get("table")
    if table and table["status"] == "ok":
        lines += _table_details(table["result"])
    lines += ["", HOW.strip()]
    lines += ["", "## Raw results", ""]
    for name in BENCHMARKS:
        outcome = outcomes[name]
        lines.append(
            f"- **{name}** ({DESCRIPTIONS.get(name, name)}): {outcome['status']}"
            + (f", {outcome['seconds']:.0f} s" if "seconds" in outcome else "")
        )
        if outcome["status"] != "ok":
            lines += [
                "",
                "  ```",
                *("  " + line for line in str(outcome["error"]).splitlines()[-15:]),
                "  ```",
            ]
    results_name = "results-quick.json" if quick else "results.json"
    lines += [
        "",
        f"Every figure, including those not in the tables, is in `var/bench/{results_name}` "
        "after a run.",
        "",
    ]
    return "\n".join(lines)


def _keep_growth(output: Path, report: str) -> str:
    """The docs page keeps its growth-curve section (written by bench/growth.py)."""
    if output != ROOT / "docs" / "benchmarks.md":
        return report
    from bench import growth

    return growth.carry_section(output, report)


NOTES_FILE = ROOT / "bench" / "notes.md"  # hand-written: why a target is missed (full runs)

HOW = """
## How it is measured

`make bench` runs `bench/run.py`: it builds the dataset once (`bench/dataset.py`, set-based
SQL, reused while its parameters are unchanged; `BENCH_DATABASE_URL` picks the database),
then runs each benchmark in its own process, each against its floor in the same run:

- **Table** (`bench/table.py`): facility 1 through Django's test client with production
  settings, signed in as a member; every page is timed whole (p50/p95 of the request), its
  page statement is `EXPLAIN ANALYZE`d (the floor), every query of the request is counted
  and `EXPLAIN`ed for sequential scans. The peer is the Django admin changelist of the same
  rows (same facility and date filter, `?p=N` for the same depth), signed in as an operator.
- **Issuance** (`bench/issuance.py`): certificates issued through the partner API's bulk
  path and rendered and stored by the worker's code, per second per core (CPU time of the
  process and of PostgreSQL), against rendering a blank one-page document with the same PDF
  library (fpdf2).
- **API bulk upsert** (`bench/api_bulk.py`): `POST /api/v1/assignments/bulk` with 1,000 items
  a request through the whole HTTP stack, new items (each issues a certificate) and the same
  payloads again (unchanged: nothing written).
- **Exports** (`bench/exports.py`): a real gunicorn worker streams the bulk ZIP of 10,000
  rendered certificates (against Info-ZIP `zip -0` over the same files; peak RSS of the
  worker) and a 200,000-row CSV (against PostgreSQL `COPY (same query) TO STDOUT`).
- **Reconciliation** (`bench/audit_reconcile.py`): a 50,000-row payment schedule (CSV)
  uploaded and reconciled against a facility with 108,000 assignments, end to end.
- **Load** (`bench/load.py`), when present.

`make bench-quick` (CI) runs the same code on a 50,000-assignment dataset with fewer
repetitions and writes `var/bench/benchmarks-quick.md`; it fails only if a benchmark errors.
`python bench/run.py --only table` runs a subset (written to `var/bench/`), and
`--render-only` rewrites this page from the last results after editing `bench/notes.md`.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small dataset, short runs (CI)")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help="the Markdown report (default: see above)")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite the report from the last results JSON (e.g. after editing bench/notes.md)",
    )
    args = parser.parse_args()

    if args.child:  # inside the child process: progress on stderr, JSON on stdout's last line
        stdout = sys.stdout
        sys.stdout = sys.stderr
        try:
            payload: dict[str, Any] = {"result": child(args.child, args.quick)}
        except Exception as exc:  # reported to the parent
            traceback.print_exc()
            payload = {"error": f"{type(exc).__name__}: {exc}"[-3000:]}
        stdout.write(json.dumps(payload, default=str) + "\n")
        return 0

    out_dir = ROOT / "var" / "bench"
    json_path = out_dir / ("results-quick.json" if args.quick else "results.json")
    default_output = (
        out_dir / "benchmarks-quick.md" if args.quick else ROOT / "docs" / "benchmarks.md"
    )
    if args.render_only:
        saved = json.loads(json_path.read_text())
        notes = NOTES_FILE.read_text() if NOTES_FILE.exists() and not args.quick else ""
        report = render(
            saved["benchmarks"],
            saved["machine"],
            saved["dataset"],
            saved["command"],
            saved["quick"],
            datetime.fromisoformat(saved["started"]),
            saved["seconds"],
            notes,
        )
        output = args.output or default_output
        output.write_text(_keep_growth(output, report))
        print(f"wrote {output}")
        return 0

    from bench import dataset

    started = datetime.now(UTC)
    clock = time.monotonic()
    command = "make bench-quick" if args.quick else "make bench"
    if os.environ.get("BENCH_COMMAND"):
        command = os.environ["BENCH_COMMAND"]
    elif "MAKELEVEL" not in os.environ:
        command = "python bench/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    machine = _machine()
    info = dataset.build(quick=args.quick)
    _ensure_scratch(scratch_url(args.quick))
    selected = args.only or BENCHMARKS
    outcomes: dict[str, dict[str, Any]] = {}
    for name in BENCHMARKS:
        if name not in selected:
            outcomes[name] = {"status": "skipped", "error": "not selected (--only)"}
            continue
        outcomes[name] = run_one(name, args.quick, info["url"])
        if outcomes[name]["status"] != "ok":
            print(f"   {outcomes[name]['status']}: {outcomes[name]['error'][-2000:]}", flush=True)
    seconds = time.monotonic() - clock

    out_dir.mkdir(parents=True, exist_ok=True)
    if args.only:  # a partial run never replaces the full run's results
        json_path = out_dir / (
            "results-partial-quick.json" if args.quick else "results-partial.json"
        )
    results = {
        "started": started.isoformat(),
        "command": command,
        "quick": args.quick,
        "machine": machine,
        "dataset": {k: v for k, v in info.items() if k != "url"},
        "seconds": round(seconds, 1),
        "benchmarks": outcomes,
    }
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    notes = NOTES_FILE.read_text() if NOTES_FILE.exists() and not args.quick else ""
    report = render(outcomes, machine, info, command, args.quick, started, seconds, notes)
    output = args.output or default_output
    if args.only and args.output is None and not args.quick:
        output = out_dir / "benchmarks-partial.md"  # a partial run never replaces the docs
    output.write_text(_keep_growth(output, report))
    print(f"\nwrote {output} and {json_path}")
    for name in BENCHMARKS:
        for row in summary_rows(name, outcomes[name]):
            print(f"  {row[0]}: {row[1]}  (target {row[4]}; met: {row[5]})")
    missing = [n for n, o in outcomes.items() if o["status"] == "missing"]
    if missing:
        print(f"benchmark modules missing (reported, not fatal): {', '.join(missing)}")
    failed = [n for n, o in outcomes.items() if o["status"] == "error"]
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
