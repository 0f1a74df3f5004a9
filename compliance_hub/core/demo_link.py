"""``compliance-hub demo-link``: print where to start in the demo."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the link that opens the demo."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("")
        self.stdout.write(f"Compliance Hub demo is starting on {settings.SITE_URL}/")
        self.stdout.write(f"Operator admin: {settings.SITE_URL}/admin/")
        self.stdout.write("")
