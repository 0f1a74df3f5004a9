"""``compliance-hub worker``: the background process. It runs the jobs ``settings.WORKER_JOBS``
names (send e-mail, render certificates, fill in search names left empty during an upgrade)
in turn, so that ``core`` imports none of the apps whose work it runs."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger("compliance_hub.worker")


def run_once(batch: int = 50) -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    done: dict[str, int] = {}
    for name, path in settings.WORKER_JOBS.items():
        try:
            done[name] = import_string(path)(batch)
        except Exception:
            log.exception("worker job %s failed; will retry", name)
            done[name] = 0
    return done


def run_until_stopped(one_round: Callable[[], object], interval: float) -> None:
    """Call ``one_round`` until SIGTERM or SIGINT; after a round that found nothing to do
    (a falsy result), wait ``interval`` seconds, in short steps so that a stop is prompt."""
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        close_old_connections()
        if one_round():
            continue
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, interval))


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
        log.info("worker started")
        run_until_stopped(lambda: _round(options["batch"]), options["interval"])
        log.info("worker stopped")


def _round(batch: int) -> bool:
    done = run_once(batch)
    if any(done.values()):
        log.info("worker round: %s", done)
    return any(done.values())
