"""``compliance-hub demo-link``: print a working one-time sign-in link for the demo."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance_hub.accounts import tokens
from compliance_hub.accounts.models import Person, SignInToken
from compliance_hub.accounts.services import describe_duration, link_url
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.demo.seed import PRIMARY_EMAIL


class Command(BaseCommand):
    help = "Print a one-time sign-in link for the demo primary contact (no e-mail is sent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ttl", type=int, default=3600, help="Seconds the link stays valid (default 3600)."
        )
        parser.add_argument("--email", default=PRIMARY_EMAIL, help="Who the link signs in.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ttl"] < 1:
            raise CommandError("--ttl must be at least 1 second.")
        person = Person.objects.get_by_email(options["email"])
        if person is None or not person.is_active:
            raise CommandError(
                f"No active person {options['email']}: run `compliance-hub seed-demo` first."
            )
        issued = tokens.issue(
            purpose=SignInToken.Purpose.SIGN_IN,
            email=person.email,
            person=person,
            ttl=options["ttl"],
        )
        record(
            Activity.Verb.SIGN_IN_REQUESTED,
            actor=person,
            detail={"via": "demo-link", "ttl": options["ttl"]},
        )
        site = settings.SITE_URL
        self.stdout.write("")
        self.stdout.write(f"Compliance Hub demo: {site}/")
        self.stdout.write(
            f"Sign in as {person.email} (demo primary contact); "
            f"this link works once, for {describe_duration(options['ttl'])}:"
        )
        self.stdout.write(f"  {link_url(issued.raw)}")
        self.stdout.write(
            f"Anyone else: ask for a link at {site}/sign-in/ (the e-mail prints in this terminal)."
        )
        self.stdout.write("")
