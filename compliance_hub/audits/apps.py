"""Payment-schedule reconciliation and audit packets."""

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "compliance_hub.audits"
    label = "audits"
    verbose_name = "Audits"
