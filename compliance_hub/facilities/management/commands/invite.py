"""``compliance-hub invite EMAIL --facility ID [--facility ID] --role primary|member``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance_hub.facilities.invitations import invite
from compliance_hub.facilities.models import Facility, Membership


class Command(BaseCommand):
    help = "Invite someone to one or more facilities (the operator's way in for primary contacts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--facility",
            dest="facilities",
            action="append",
            type=int,
            required=True,
            metavar="ID",
            help="Facility id (repeat for several).",
        )
        parser.add_argument("--role", choices=Membership.Role.values, required=True)
        parser.add_argument("--name", default="", help="The person's name, for the e-mail.")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = options["facilities"]
        facilities = list(Facility.objects.select_related("partner").filter(pk__in=ids))
        missing = sorted(set(ids) - {f.pk for f in facilities})
        if missing:
            raise CommandError(f"No facility with id {', '.join(map(str, missing))}.")
        try:
            invitation = invite(
                email=options["email"],
                facilities=facilities,
                role=options["role"],
                name=options["name"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        names = ", ".join(f.name for f in facilities)
        self.stdout.write(
            f"Invitation sent to {invitation.email} for {names} "
            f"(valid until {invitation.expires_at:%Y-%m-%d %H:%M %Z})."
        )
        if not settings.MAIL_SEND_ON_COMMIT:
            self.stdout.write(
                "The e-mail is in the outbox; `compliance-hub send-mail` delivers it."
            )
