"""Facility notifications (issue 20, section 2)."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "compliance_hub.notifications"
    label = "notifications"
    verbose_name = "Notifications"
