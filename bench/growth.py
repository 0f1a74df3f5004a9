"""Growth curve: the same benchmarks at several dataset sizes (issue 22, part 1).

    .venv/bin/python bench/growth.py 500k:20k 5m:200k 20m:2m       # the documented curve
    .venv/bin/python bench/growth.py 20k:2k --quick --output var/bench/growth-test.md

Each size is ``TOTAL:LARGEST`` (assignments in all : assignments of facility 1), built once
by ``bench/dataset.py`` into its own database (``compliance_hub_bench_<size>``; 5m:200k is
the full dataset itself). Against each size, in child processes, exactly the code of the
main benchmarks:

- the certificate table (``bench/table.py``, with ``BENCH_SIZE`` naming the dataset): p95
  of page 1, a deep page, a date-filtered page and a name search, on facility 1;
- the exports (``bench/exports.py``): the ZIP of 10,000 certificates and the CSV export
  (200,000 rows), each of its own facility added to the size's database, so that the
  number of rows exported stays the same while the database grows;
- the 50,000-row reconciliation (``bench/audit_reconcile.py``) against its own facility
  (108,000 assignments) in the same database;
- the database's size (``pg_database_size``) and the assignment and certificate tables with
  their indexes (``pg_total_relation_size``).

``--quick`` uses the benchmarks' quick settings (fewer requests, 500 / 5,000 rows exported,
2,000 schedule rows): for trying the script on a tiny size, not for figures.

Results accumulate in ``var/bench/growth.json`` (one entry per size, replaced when measured
again); the markdown table and an SVG line chart (``docs/benchmarks-growth.svg``, written
here as plain SVG text) go into the "Growth curve" section of ``docs/benchmarks.md``, between
its ``<!-- growth:begin -->`` / ``<!-- growth:end -->`` markers (appended if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402

RESULTS = ROOT / "var" / "bench" / "growth.json"
DOC = ROOT / "docs" / "benchmarks.md"
SVG = ROOT / "docs" / "benchmarks-growth.svg"
NOTES = ROOT / "bench" / "growth_notes.md"  # hand-written: how to read the curve
BEGIN, END = "<!-- growth:begin -->", "<!-- growth:end -->"
PORT = int(os.environ.get("BENCH_PORT", "8561"))
CHILD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-growth-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz-012",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
    "ACCESS_LOG": "0",
    "DJANGO_SETTINGS_MODULE": "compliance_hub.settings",
}
# The table's scenarios on the curve (labels of bench/table.py).
TABLE = {
    "page 1": "page 1 (effective date, newest first)",
    "deep page": "deep page (effective date)",
    "date-filtered": "effective range: 1 year",
    "name search": "name search: last-name prefix",
}


def _child(command: list[str], env: dict[str, str], say: Any) -> dict[str, Any]:
    """Run a benchmark script that prints its figures as JSON on its last line."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**os.environ, **CHILD_ENV, **env},
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}")
    say(f"   {command[0]}: {time.monotonic() - started:.0f} s")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _sizes(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT pg_database_size(current_database()),"
            " pg_total_relation_size('certificates_assignment'),"
            " pg_total_relation_size('certificates_certificate'),"
            " (SELECT count(*) FROM certificates_assignment)"
        ).fetchone()
    assert row is not None
    return {
        "database_bytes": row[0],
        "assignment_table_bytes": row[1],
        "certificate_table_bytes": row[2],
        "assignments_now": row[3],
    }


def measure(size: str, quick: bool, say: Any = print) -> dict[str, Any]:
    """Every figure of the curve at one size."""
    params = dataset.parse_size(size)
    info = dataset.build(params=params, log=say)
    url = info["url"]
    say(f"== {params.assignments:,} assignments, facility 1 with {params.big_facility:,}")
    sized = {"BENCH_SIZE": f"{params.assignments}:{params.big_facility}"}
    quick_flag = ["--quick"] if quick else []
    table = _child(["bench/table.py", "--json", *quick_flag], sized, say)
    scenarios = {r["label"]: r for r in table["scenarios"]}
    media = ROOT / "var" / "bench" / f"exports-media-{dataset.label(params) or '5m_200k'}"
    exports = _child(
        ["bench/exports.py", "--db-url", url, "--json", "--port", str(PORT), *quick_flag],
        {"MEDIA_ROOT": str(media), "DATABASE_URL": url},
        say,
    )
    reconcile_args = ["--rows", "2000", "--contractors", "150"] if quick else []
    reconcile = _child(
        ["bench/audit_reconcile.py", "--json", "--migrate", *reconcile_args],
        {"DATABASE_URL": url, "MEDIA_ROOT": str(dataset.media_root(False, params))},
        say,
    )
    zip_result, csv_result = exports.get("zip") or {}, exports.get("csv") or {}
    return {
        "size": size,
        "assignments": params.assignments,
        "big_facility": params.big_facility,
        "quick": quick,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "table_p95_ms": {k: scenarios[label]["p95_ms"] for k, label in TABLE.items()},
        "table_p50_ms": {k: scenarios[label]["p50_ms"] for k, label in TABLE.items()},
        "table_worst_p95_ms": table.get("worst_p95_ms"),
        "table_every_p95_ms": {r["label"]: r["p95_ms"] for r in table["scenarios"]},
        "zip": {"certificates": zip_result.get("certificates"), "s": zip_result.get("wall_s")},
        "csv": {"rows": csv_result.get("rows"), "s": csv_result.get("wall_s")},
        "reconcile": {"rows": reconcile.get("rows"), "s": reconcile.get("total_s")},
        **_sizes(url),
    }


# --- report ------------------------------------------------------------------------------


def _n(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _gb(value: int) -> str:
    return f"{value / 2**30:.2f} GiB" if value >= 2**30 else f"{value / 2**20:.0f} MiB"


def markdown(results: list[dict[str, Any]], svg_name: str) -> str:
    rows = sorted(results, key=lambda r: r["assignments"])
    lines = [
        "## Growth curve",
        "",
        "`bench/growth.py` runs the table, export and reconciliation benchmarks against "
        "datasets of several sizes (`bench/dataset.py --size TOTAL:LARGEST`). Exports and "
        "the reconciliation use their own facility of a fixed size, so their rows stay the "
        "same while the database grows. Table figures are p95 of the server time on "
        "facility 1 (the largest).",
        "",
    ]
    if any(r.get("quick") for r in rows):
        lines += [
            "*Quick settings (a trial of the script, not figures to compare): fewer requests "
            "and fewer rows exported.*",
            "",
        ]
    lines += [
        "| assignments (largest facility) | page 1 | deep page | date-filtered | name search "
        "| ZIP | CSV | reconciliation | database | assignments + certificates tables |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        p95 = r["table_p95_ms"]
        lines.append(
            f"| {_n(r['assignments'])} ({_n(r['big_facility'])}) | {_ms(p95['page 1'])} "
            f"| {_ms(p95['deep page'])} | {_ms(p95['date-filtered'])} "
            f"| {_ms(p95['name search'])} "
            f"| {_s(r['zip']['s'])} ({r['zip']['certificates'] or 0:,} PDFs) "
            f"| {_s(r['csv']['s'])} ({r['csv']['rows'] or 0:,} rows) "
            f"| {_s(r['reconcile']['s'])} ({r['reconcile']['rows'] or 0:,} rows) "
            f"| {_gb(r['database_bytes'])} "
            f"| {_gb(r['assignment_table_bytes'] + r['certificate_table_bytes'])} |"
        )
    lines += ["", f"![Table p95 and export times by dataset size]({svg_name})", ""]
    when = ", ".join(f"{r['size']} {r['measured_at']}" for r in rows)
    lines += [f"Measured: {when}.", ""]
    lines += _every_page(rows)
    if NOTES.exists():
        lines += [NOTES.read_text().strip(), ""]
    return "\n".join(lines)


def _every_page(rows: list[dict[str, Any]]) -> list[str]:
    """Every page of ``bench/table.py`` at each size, with the largest size's p95 over the
    one before it (the issue's target: at most 1.5x from 5M/200k to 20M/2M)."""
    rows = [r for r in rows if r.get("table_every_p95_ms")]
    if len(rows) < 2:
        return []
    big, before = rows[-1], rows[-2]
    head = " | ".join(f"{_n(r['assignments'])} ({_n(r['big_facility'])})" for r in rows)
    ratio = f"{_n(big['assignments'])} ÷ {_n(before['assignments'])}"
    lines = [
        "Every table page (p95 of the server time on facility 1):",
        "",
        f"| page | {head} | {ratio} |",
        "|---|" + "---|" * (len(rows) + 1),
    ]
    for label in big["table_every_p95_ms"]:
        values = [r["table_every_p95_ms"].get(label) for r in rows]
        last, prior = values[-1], values[-2]
        growth = f"{last / prior:.2f}\u00d7" if last and prior else "—"
        if last and prior and last / prior > 1.5:
            growth = f"**{growth}**"
        lines.append(f"| {label} | " + " | ".join(_ms(v) for v in values) + f" | {growth} |")
    return [*lines, ""]


def svg(results: list[dict[str, Any]]) -> str:
    """Two line charts side by side (log-scaled size axis): table p95 in ms, exports in s."""
    rows = sorted(results, key=lambda r: r["assignments"])
    width, height, pad = 880, 370, 56
    panel = (width - 3 * pad) // 2
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    import math

    xs = [math.log10(r["assignments"]) for r in rows]
    x_lo, x_hi = (min(xs) - 0.1, max(xs) + 0.1) if xs else (0.0, 1.0)

    def x_at(left: int, value: float) -> float:
        return left + (value - x_lo) / ((x_hi - x_lo) or 1) * panel

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    charts = [
        (
            "Table p95 (ms), facility 1",
            [(k, [r["table_p95_ms"][k] for r in rows]) for k in TABLE],
        ),
        (
            "Exports and reconciliation (s)",
            [
                ("ZIP", [r["zip"]["s"] for r in rows]),
                ("CSV", [r["csv"]["s"] for r in rows]),
                ("reconciliation", [r["reconcile"]["s"] for r in rows]),
            ],
        ),
    ]
    for index, (title, series) in enumerate(charts):
        left = pad + index * (panel + pad)
        top, bottom = 40, height - 90
        values = [v for _, vs in series for v in vs if v is not None]
        y_hi = max(values) * 1.15 if values else 1.0

        def y_at(value: float, top: int = top, bottom: int = bottom, y_hi: float = y_hi) -> float:
            return bottom - value / y_hi * (bottom - top)

        out.append(
            f'<text x="{left}" y="24" font-weight="bold">{escape(title)}</text>'
            f'<line x1="{left}" y1="{bottom}" x2="{left + panel}" y2="{bottom}" stroke="#333"/>'
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>'
        )
        for step in range(5):
            value = y_hi * step / 4
            y = y_at(value)
            out.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{left + panel}" y2="{y:.1f}" '
                f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                f"{value:.3g}</text>"
            )
        for r, x in zip(rows, xs, strict=True):
            out.append(
                f'<text x="{x_at(left, x):.1f}" y="{bottom + 16}" text-anchor="middle">'
                f"{_n(r['assignments'])}</text>"
            )
        out.append(
            f'<text x="{left + panel / 2:.0f}" y="{bottom + 34}" text-anchor="middle">'
            "assignments in the database (log scale)</text>"
        )
        lx = left
        for n, (name, vs) in enumerate(series):
            colour = colours[n % len(colours)]
            points = [
                (x_at(left, x), y_at(v)) for x, v in zip(xs, vs, strict=True) if v is not None
            ]
            if len(points) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                out.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
            for px, py in points:
                out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
            ly = height - 16
            out.append(
                f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{lx + 14}" y="{ly}">{escape(name)}</text>'
            )
            lx += 14 + 7 * len(name) + 14
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_section(doc: Path, section: str) -> None:
    """Put ``section`` between the markers in ``doc`` (appended at the end if missing)."""
    text = doc.read_text() if doc.exists() else ""
    block = f"{BEGIN}\n{section.strip()}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text)


def carry_section(doc: Path, report: str) -> str:
    """``report`` (a new benchmarks page from ``bench/run.py``) with ``doc``'s growth section
    kept: the growth curve is measured here, not by ``make bench``, which rewrites the page."""
    text = doc.read_text() if doc.exists() else ""
    if BEGIN not in text or END not in text or BEGIN in report:
        return report
    block = BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END
    return report.rstrip("\n") + "\n\n" + block + "\n"


def load(path: Path) -> dict[str, dict[str, Any]]:
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", help="TOTAL:LARGEST, e.g. 500k:20k 5m:200k 20m:2m")
    parser.add_argument("--quick", action="store_true", help="the benchmarks' quick settings")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON kept between runs")
    parser.add_argument("--output", type=Path, default=DOC, help="markdown file to update")
    parser.add_argument("--svg", type=Path, default=None, help="chart file (default: beside it)")
    args = parser.parse_args()
    results = load(args.results)
    for size in args.sizes:
        figures = measure(size, args.quick, lambda line: print(line, file=sys.stderr, flush=True))
        results[f"{figures['assignments']}:{figures['big_facility']}"] = figures
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, indent=2) + "\n")
    if not results:
        parser.error("no sizes measured yet: name at least one")
    chart = args.svg or (
        SVG if args.output == DOC else args.output.with_name(args.output.stem + ".svg")
    )
    chart.parent.mkdir(parents=True, exist_ok=True)
    chart.write_text(svg(list(results.values())))
    link = os.path.relpath(chart, args.output.parent)
    write_section(args.output, markdown(list(results.values()), link))
    print(f"wrote {args.output} and {chart}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
