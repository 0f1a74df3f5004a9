"""``compliance-hub send-mail [--forever]``: deliver the outbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from compliance_hub.core.worker import run_until_stopped
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
        self.stdout.write("Sending e-mail from the outbox; stop with Ctrl-C.")
        run_until_stopped(lambda: self._send(options["limit"]), options["interval"])
        self.stdout.write("Stopped.")

    def _send(self, limit: int) -> int:
        try:
            sent = send_due(limit)
        except Exception as exc:  # database hiccup: wait and carry on
            self.stderr.write(f"send-mail: {type(exc).__name__}: {exc}")
            return 0
        if sent:
            self.stdout.write(f"Sent {sent} message(s).")
        return sent
