"""The append-only record of who did what."""

from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "compliance_hub.activity"
    label = "activity"
    verbose_name = "Activity"
