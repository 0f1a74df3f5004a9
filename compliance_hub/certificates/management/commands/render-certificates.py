"""``compliance-hub render-certificates [--forever] [--batch N]``: render pending certificate PDFs.

Renders certificates that were issued but have no stored PDF yet (each exactly once; the
first request for a certificate would otherwise render it). A certificate that fails is
logged and skipped, and retried after ``--retry-after`` seconds when running ``--forever``.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection

from compliance_hub.certificates.documents import render_pending

log = logging.getLogger("compliance_hub.certificates.worker")


class Command(BaseCommand):
    help = "Render and store the PDFs of issued certificates that have none yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--forever", action="store_true", help="Keep running, polling for new certificates."
        )
        parser.add_argument(
            "--batch", type=int, default=100, help="Certificates per batch (default 100)."
        )
        parser.add_argument(
            "--sleep", type=float, default=2.0, help="Seconds to wait when idle (default 2)."
        )
        parser.add_argument(
            "--retry-after",
            type=float,
            default=300.0,
            help="Seconds before a failed certificate is tried again (default 300).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch: int = options["batch"]
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        self._stop = False
        previous = {}
        if options["forever"]:
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self._request_stop)
        try:
            total, failed = self._run(batch, options)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(f"Rendered {total} certificate(s); {failed} failed.")

    def _run(self, batch: int, options: dict[str, Any]) -> tuple[int, int]:
        failed_at: dict[int, float] = {}  # certificate id -> when it last failed
        total = 0
        while not self._stop:
            now = time.monotonic()
            for pk in [pk for pk, at in failed_at.items() if now - at >= options["retry_after"]]:
                del failed_at[pk]
            failed: set[int] = set()
            if not connection.in_atomic_block:  # drop connections that died while idle
                close_old_connections()
            done = render_pending(batch, skip=set(failed_at), failed=failed)
            failed_at.update(dict.fromkeys(failed, now))
            total += done
            if done:
                log.info("Rendered %d certificate(s)", done)
            if done + len(failed) >= batch:
                continue  # there may be more right away
            if not options["forever"]:
                break
            time.sleep(options["sleep"])
        return total, len(failed_at)

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self._stop = True
