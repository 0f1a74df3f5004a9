"""``compliance-hub create-partner NAME``: a new staffing partner and its first API key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from compliance_hub.facilities.models import Partner
from compliance_hub.partner_api.keys import create_key

OPERATOR_LABEL = "operator (command line)"


class Command(BaseCommand):
    help = "Create a staffing partner and an API key for it. The key is printed once, last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help='The partner\'s name, e.g. "Acme Staffing".')
        parser.add_argument("--slug", help="Short unique id (default: from the name).")
        parser.add_argument("--support-email", default="", help="Where facilities ask for help.")
        parser.add_argument("--key-name", default="", help="What the first key is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name or len(name) > 200:
            raise CommandError("Give the partner a name of 1-200 characters.")
        slug = options["slug"] or slugify(name)[:80]
        if not slug:
            raise CommandError("Could not make a slug from that name; pass --slug.")
        if Partner.objects.filter(slug=slug).exists():
            raise CommandError(
                f"A partner with slug {slug!r} exists already. "
                f"For another key: compliance-hub create-api-key {slug}"
            )
        with transaction.atomic():
            partner = Partner(name=name, slug=slug, support_email=options["support_email"])
            partner.full_clean()
            partner.save()
            _, raw = create_key(
                partner, name=options["key_name"] or "first key", actor_label=OPERATOR_LABEL
            )
        admin_url = settings.SITE_URL + reverse(
            "admin:facilities_partner_change", args=[partner.pk]
        )
        self.stdout.write(
            f'Created partner "{partner.name}" (slug {partner.slug}, id {partner.pk}).'
        )
        self.stdout.write(
            f"Set up the insurance program its certificates state (insurers, coverage lines) "
            f"in the operator admin: {admin_url}"
        )
        self.stdout.write("API key (shown only now; keep it secret):")
        self.stdout.write(raw)
