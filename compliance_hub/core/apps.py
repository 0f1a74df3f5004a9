"""Shared pieces: base templates, middleware, utilities."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "compliance_hub.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from compliance_hub.core import checks  # noqa: F401  (registers the deploy checks)
