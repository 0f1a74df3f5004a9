"""``compliance-hub send-mail [--forever]``: deliver the outbox."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from compliance_hub.mailer.services import send_due


class Command(BaseCommand):
    help = "Send due e-mail from the outbox (once, or with --forever until stopped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--forever", action="store_true", help="Keep running (the worker).")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds to wait when nothing is due."
        )
        parser.add_argument("--limit", type=int, default=50, help="Messages per batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["forever"]:
            total = 0
            while (sent := send_due(options["limit"])) > 0:
                total += sent
                if sent < options["limit"]:
                    break
            self.stdout.write(f"Sent {total} message(s).")
            return
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("Sending e-mail from the outbox; stop with Ctrl-C.")
        while not stopping:
            close_old_connections()
            try:
                sent = send_due(options["limit"])
            except Exception as exc:  # database hiccup: wait and carry on
                self.stderr.write(f"send-mail: {type(exc).__name__}: {exc}")
                sent = 0
            if sent:
                self.stdout.write(f"Sent {sent} message(s).")
            else:
                _sleep(options["interval"], lambda: stopping)
        self.stdout.write("Stopped.")


def _sleep(seconds: float, stopped: Any) -> None:
    """Sleep in short steps so a stop signal is honoured promptly."""
    deadline = time.monotonic() + seconds
    while not stopped() and time.monotonic() < deadline:
        time.sleep(min(0.2, seconds))
