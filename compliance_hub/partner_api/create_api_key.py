"""``compliance-hub create-api-key PARTNER``: another API key for a partner (slug or id)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance_hub.facilities.models import Partner
from compliance_hub.partner_api.create_partner import OPERATOR_LABEL
from compliance_hub.partner_api.keys import create_key


def find_partner(ref: str) -> Partner:
    """A partner by slug, or by id if ``ref`` is a number."""
    partner = Partner.objects.filter(slug=ref).first()
    if partner is None and ref.isdigit():
        partner = Partner.objects.filter(pk=int(ref)).first()
    if partner is None:
        known = ", ".join(Partner.objects.values_list("slug", flat=True)[:20]) or "none yet"
        raise CommandError(f"No partner {ref!r}. Partners: {known}.")
    return partner


class Command(BaseCommand):
    help = "Create an API key for a partner (slug or id). The key is printed once, last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("partner", help="The partner's slug or id.")
        parser.add_argument("--name", default="", help="What the key is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        partner = find_partner(options["partner"])
        key, raw = create_key(partner, name=options["name"], actor_label=OPERATOR_LABEL)
        self.stdout.write(f'New API key {key.prefix}… for "{partner.name}" (shown only now):')
        self.stdout.write(raw)
