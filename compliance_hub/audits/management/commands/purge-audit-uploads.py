"""Delete uploaded schedules that were never run (they are kept for a day at most)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from compliance_hub.audits.services import UPLOAD_TTL, purge_stale_uploads


class Command(BaseCommand):
    help = f"Delete uploaded payment schedules not run within {UPLOAD_TTL}."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_stale_uploads()
        self.stdout.write(f"Deleted {deleted} stale upload(s).")
