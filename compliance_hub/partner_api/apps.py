"""The staffing partners' API and console."""

from django.apps import AppConfig


class PartnerApiConfig(AppConfig):
    name = "compliance_hub.partner_api"
    label = "partner_api"
    verbose_name = "Partner API"
