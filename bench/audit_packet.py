"""The audit packet of a 5,000-row reconciliation with its certificate PDFs, streamed.

    DEBUG=1 .venv/bin/python bench/audit_packet.py --migrate [--rows 5000] [--json]

Uses the facility of bench/audit_reconcile.py (built on first use), reconciles a schedule of
``--rows`` payments, renders the cited certificates' PDFs once (not timed: a packet of a
facility in use finds them rendered), enables bulk download, then streams the packet in a
fresh child process and reports its wall time, CPU time, size and the child's peak RSS: the
packet is built as it is sent, so the peak should not grow with the rows or certificates.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_hub.settings")

ROWS = 5_000


def prepare(rows: int, migrate: bool, contractors: int) -> dict[str, Any]:
    """Reconcile ``rows`` payments and render the cited PDFs; the reconciliation's id."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)
    settings.DEBUG = False
    from bench import dataset
    from bench.audit_reconcile import build_facility, schedule
    from compliance_hub.audits import services
    from compliance_hub.audits.columns import guess_mapping
    from compliance_hub.audits.reports.rows import certificates_of, relied_on
    from compliance_hub.certificates import documents
    from compliance_hub.certificates.models import Certificate

    facility, person = build_facility(contractors)
    upload = services.keep_upload(facility, person, "packet.csv", schedule(facility, rows, False))
    mapping = guess_mapping(services.table_of(upload).header)
    reconciliation = services.run(upload, mapping, include_unreadable=True, person=person)
    ids = relied_on(reconciliation)
    # The facility's certificates are stored as the shared placeholder (bench/dataset.py
    # ``as_rendered``); the packet's own are rendered for real, so that it carries real PDFs.
    Certificate.objects.filter(pk__in=ids, pdf=dataset.PLACEHOLDER_NAME).update(
        pdf="", sha256="", size=None, rendered_at=None
    )
    started = time.perf_counter()
    for certificate in certificates_of(ids):
        documents.ensure_rendered(certificate)
    print(f"rendered {len(ids):,} certificate PDFs in {time.perf_counter() - started:.1f} s")
    facility.bulk_download_enabled = True
    facility.save(update_fields=["bulk_download_enabled"])
    return {"reconciliation": reconciliation.pk, "rows": reconciliation.row_count, "pdfs": len(ids)}


def stream(reconciliation_id: int) -> dict[str, Any]:
    """In its own process: stream the packet (certificates included), counting bytes."""
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    from compliance_hub.audits.models import Reconciliation
    from compliance_hub.audits.reports.packet import stream_packet

    reconciliation = Reconciliation.objects.select_related("facility").get(pk=reconciliation_id)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c0, t0 = time.process_time(), time.perf_counter()
    size = sum(len(chunk) for chunk in stream_packet(reconciliation, True))
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "packet_s": round(took, 2),
        "packet_cpu_s": round(cpu, 2),
        "packet_mb": round(size / 1024 / 1024, 1),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak),
    }


def measure(rows: int, migrate: bool, contractors: int) -> dict[str, Any]:
    prepared = prepare(rows, migrate, contractors)
    command = [sys.executable, str(Path(__file__).resolve()), "--stream"]
    command.append(str(prepared["reconciliation"]))
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"streaming the packet failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result = {"name": "audit packet", **prepared, **figures}
    print(
        f"packet of {prepared['rows']:,} rows + {prepared['pdfs']:,} PDFs: "
        f"{figures['packet_s']:.2f} s, {figures['packet_mb']:.1f} MB, "
        f"peak RSS {figures['peak_rss_mb']} MB (at start {figures['rss_before_mb']} MB)"
    )
    return result


def run(quick: bool = False) -> dict[str, Any]:
    """In a child process on ``DATABASE_URL``: 5,000 rows (quick: 500 rows)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json", "--migrate"]
    if quick:
        command += ["--rows", "500", "--contractors", "150"]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench/audit_packet.py failed:\n{result.stdout}\n{result.stderr}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    from bench.audit_reconcile import CONTRACTORS

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    parser.add_argument("--contractors", type=int, default=CONTRACTORS)
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    parser.add_argument("--stream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stream:
        sys.stdout.write(json.dumps(stream(args.stream)) + "\n")
        return
    stdout = sys.stdout
    if args.json:
        sys.stdout = sys.stderr
    result = measure(args.rows, args.migrate, args.contractors)
    if args.json:
        stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
