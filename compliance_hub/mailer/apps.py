"""Durable outbound e-mail."""

from django.apps import AppConfig


class MailerConfig(AppConfig):
    name = "compliance_hub.mailer"
    label = "mailer"
    verbose_name = "Mail"
