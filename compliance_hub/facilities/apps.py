"""Partners, facilities, memberships and invitations."""

from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "compliance_hub.facilities"
    label = "facilities"
    verbose_name = "Facilities and memberships"
