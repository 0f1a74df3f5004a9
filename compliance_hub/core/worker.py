"""``compliance-hub worker``: the background process — sends e-mail, renders certificates, and
fills in search names that a previous version left empty during an upgrade."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

log = logging.getLogger("compliance_hub.worker")


def _jobs() -> list[tuple[str, Callable[[int], int]]]:
    from compliance_hub.certificates.documents import render_pending
    from compliance_hub.certificates.names_backfill import backfill_search_names
    from compliance_hub.mailer.services import send_due

    return [
        ("mail", send_due),
        ("certificates", render_pending),
        ("names", backfill_search_names),
    ]


def run_once(batch: int = 50) -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    done: dict[str, int] = {}
    for name, job in _jobs():
        try:
            done[name] = job(batch)
        except Exception:
            log.exception("worker job %s failed; will retry", name)
            done[name] = 0
    return done


class Command(BaseCommand):
    help = "Send queued e-mail and render pending certificate PDFs, until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one round and exit.")
        parser.add_argument("--batch", type=int, default=50, help="Items per job per round.")
        parser.add_argument("--interval", type=float, default=2.0, help="Idle wait, seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(str(run_once(options["batch"])))
            return
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("worker started")
        while not stopping:
            close_old_connections()
            done = run_once(options["batch"])
            if any(done.values()):
                log.info("worker round: %s", done)
                continue
            deadline = time.monotonic() + options["interval"]
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.1)
        log.info("worker stopped")
