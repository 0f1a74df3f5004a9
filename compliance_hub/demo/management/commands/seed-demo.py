"""``compliance-hub seed-demo``: load the demo data set into an empty database."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from compliance_hub.demo.seed import (
    MEMBER_EMAIL,
    OPERATOR_EMAIL,
    OTHER_PRIMARY_EMAIL,
    PARTNER_SLUG,
    PARTNER_STAFF_EMAIL,
    PRIMARY_EMAIL,
    seed,
)
from compliance_hub.facilities.models import Partner


class Command(BaseCommand):
    help = "Load the demo data set (once; --reset is not offered: use a fresh database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contractors", type=int, default=1500)
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply assignment counts (tests use 0.01)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if Partner.objects.filter(slug=PARTNER_SLUG).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            counts = seed(options["contractors"], options["scale"])
            self.stdout.write(
                f"Loaded {counts['facilities']} facilities, {counts['contractors']} contractors, "
                f"{counts['assignments']} assignments and {counts['certificates']} certificates "
                f"in {time.monotonic() - started:.1f}s."
            )
        self.stdout.write("Demo people (sign in with these addresses):")
        self.stdout.write(f"  {PRIMARY_EMAIL}  primary contact of three facilities")
        self.stdout.write(f"  {MEMBER_EMAIL}  team member at St. Mary's")
        self.stdout.write(f"  {OTHER_PRIMARY_EMAIL}  primary contact of Riverside Event Arena")
        self.stdout.write(f"  {PARTNER_STAFF_EMAIL}  staffing partner console")
        self.stdout.write(f"  {OPERATOR_EMAIL}  operator (admin)")
