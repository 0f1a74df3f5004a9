"""Auditor access: a facility's read-only grant to an insurer's or audit firm's auditor."""

from django.apps import AppConfig


class AuditorsConfig(AppConfig):
    name = "compliance_hub.auditors"
    label = "auditors"
    verbose_name = "Auditor access"
